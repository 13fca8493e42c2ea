
namespace ApiTokens.Management;

/// <summary>Why a management operation failed: a stable <see cref="Code"/> and a readable description.</summary>
public sealed class ApiTokenError
{
    /// <summary>Creates an error.</summary>
    /// <param name="code">The stable code (see <see cref="ApiTokenErrorCodes"/>).</param>
    /// <param name="kind">The class of failure.</param>
    /// <param name="description">A readable explanation.</param>
    public ApiTokenError(string code, ApiTokenErrorKind kind, string description)
    {
        ArgumentException.ThrowIfNullOrEmpty(code);
        ArgumentException.ThrowIfNullOrEmpty(description);
        Code = code;
        Kind = kind;
        Description = description;
    }

    /// <summary>The stable code, for example <c>TokenNotFound</c>.</summary>
    public string Code { get; }

    /// <summary>The class of failure.</summary>
    public ApiTokenErrorKind Kind { get; }

    /// <summary>A readable explanation.</summary>
    public string Description { get; }

    /// <inheritdoc />
    public override string ToString() => $"{Code}: {Description}";
}
