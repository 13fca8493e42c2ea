using System.Globalization;
using ApiTokens.Secrets;

namespace ApiTokens.Auditing;

// The one way the core builds audit records (R24): a fresh id, values in wire names (camelCase enum
// names, RFC 3339 times), never a secret or a hash. Used by the manager, the validator (first sight
// of an app) and the last-use recorder (a previous secret's use).
internal static class AuditRecords
{
    // Actor of events an application's request caused.
    public static string App(string appName) => "app:" + appName;

    public static ApiTokenAuditRecord Create(string tokenId, string accountId, DateTimeOffset at, string actor, string action, params ApiTokenAuditChange[] changes) => new()
    {
        Id = ApiTokenSecretCodec.NewId(),
        At = at,
        TokenId = tokenId,
        AccountId = accountId,
        Actor = actor,
        Action = action,
        Changes = changes,
    };

    // The changes of an update that actually changed.
    public static ApiTokenAuditChange[] Differences(params ApiTokenAuditChange[] changes) => [.. changes.Where(static c => c.Old != c.New)];

    public static string Wire<TEnum>(TEnum value)
        where TEnum : struct, Enum
    {
        var name = value.ToString();
        return char.ToLowerInvariant(name[0]) + name[1..];
    }

    public static string? Wire(DateTimeOffset? value) => value?.ToString("O", CultureInfo.InvariantCulture);
}
