using System.Security.Cryptography;

namespace ApiTokens.Stores.EntityFrameworkCore.PostgreSql;

// This node's mark on its R26 announcements: random per service provider, so two nodes — even two
// hosts in one process, as the tests run them — never share one.
internal sealed class NotificationOrigin
{
    public string Value { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
