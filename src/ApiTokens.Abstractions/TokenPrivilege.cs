namespace ApiTokens;

/// <summary>
/// A privilege level, ordered <see cref="ReadOnly"/> &lt; <see cref="Normal"/> &lt; <see cref="Admin"/>.
/// Member roles use the same scale, so a role and a privilege compare directly.
/// </summary>
public enum TokenPrivilege
{
    /// <summary>May read.</summary>
    ReadOnly = 0,

    /// <summary>May read and write.</summary>
    Normal = 1,

    /// <summary>May do everything, including account administration.</summary>
    Admin = 2,
}
