namespace ApiTokens;

/// <summary>The two kinds of API token (R1). They authenticate identically and differ in ownership and visibility.</summary>
public enum TokenType
{
    /// <summary>A token owned by one member of the account; it stops working when its owner leaves.</summary>
    User = 0,

    /// <summary>A token owned by the account itself; only account admins see and manage it.</summary>
    Account = 1,
}
