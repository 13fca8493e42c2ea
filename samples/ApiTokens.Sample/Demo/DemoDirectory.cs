using ApiTokens.Membership;

namespace ApiTokens.Sample.Demo;

// The sample's people and accounts (docs/sample.md). Membership itself lives in InMemoryAccountMembership.
internal static class DemoDirectory
{
    public static readonly IReadOnlyDictionary<string, DemoUser> Users = new Dictionary<string, DemoUser>(StringComparer.Ordinal)
    {
        ["alice"] = new("alice", "acme", "Alice", "Anderson", TokenPrivilege.Admin),
        ["bob"] = new("bob", "acme", "Bob", "Baker", TokenPrivilege.Normal),
        ["carol"] = new("carol", "acme", "Carol", "Chen", TokenPrivilege.ReadOnly),
        ["dave"] = new("dave", "globex", "Dave", "Diaz", TokenPrivilege.Admin),
    };

    public static readonly IReadOnlyDictionary<string, string> AccountNames = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["acme"] = "ACME Corporation",
        ["globex"] = "Globex Inc.",
    };

    public static void Seed(InMemoryAccountMembership membership)
    {
        foreach (var user in Users.Values)
        {
            membership.SetRole(user.AccountId, user.UserId, user.InitialRole);
        }
    }

    public static string CirconusRole(TokenPrivilege role) => role switch
    {
        TokenPrivilege.Admin => "Admin",
        TokenPrivilege.Normal => "Normal",
        _ => "Read Only",
    };

    public static string ApiRole(TokenPrivilege role) => role switch
    {
        TokenPrivilege.Admin => "admin",
        TokenPrivilege.Normal => "normal",
        _ => "readOnly",
    };

    public static bool TryParseRole(string? text, out TokenPrivilege role)
    {
        role = default;
        switch (text?.ToUpperInvariant())
        {
            case "ADMIN":
                role = TokenPrivilege.Admin;
                return true;
            case "NORMAL":
                role = TokenPrivilege.Normal;
                return true;
            case "READONLY":
                role = TokenPrivilege.ReadOnly;
                return true;
            default:
                return false;
        }
    }
}

internal sealed record DemoUser(string UserId, string AccountId, string FirstName, string LastName, TokenPrivilege InitialRole)
{
    public string Email => $"{UserId}@{AccountId}.example";
}
