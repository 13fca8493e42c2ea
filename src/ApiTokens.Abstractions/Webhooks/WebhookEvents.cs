using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ApiTokens.Auditing;

namespace ApiTokens.Webhooks;

// R37: the event of an audited change, as every endpoint receives it:
//   {"type", "timestamp", "data": {"token": <the token's JSON as the management API shows it>,
//    "actor", "action", "changes": [{"field", "old", "new"}], "reason"?}}
// Built once per change, before the write, from the token as it will be stored. Never holds a secret,
// a hash, or anything of the secret but its hint. Changes that are not events (a refused request, a
// previous secret used in its grace) have none.
internal static class WebhookEvents
{
    private static readonly JsonWriterOptions s_options = new() { Indented = false };

    // The event of a record, or null when the record is no event. token: the token after the change;
    // effective: its effective privilege then (null when it cannot authenticate).
    public static ApiTokenEvent? For(ApiTokenAuditRecord record, ApiToken token, TokenPrivilege? effective, bool expired)
    {
        if (TypeOf(record) is not { } type)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(2048);
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartObject();
            json.WriteString("type", type);
            json.WriteString("timestamp", Wire(record.At));
            json.WriteStartObject("data");
            json.WritePropertyName("token");
            WriteToken(json, token, effective, expired);
            json.WriteString("actor", record.Actor);
            json.WriteString("action", record.Action);
            json.WriteStartArray("changes");
            foreach (var change in record.Changes)
            {
                json.WriteStartObject();
                json.WriteString("field", change.Field);
                json.WriteString("old", change.Old);
                json.WriteString("new", change.New);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            if (ReasonOf(record, token) is { } reason)
            {
                json.WriteString("reason", reason);
            }

            // R38: the warnings' own fields, as the events' contract names them.
            if (record.Action is ApiTokenAuditActions.Expiring or ApiTokenAuditActions.Expired or ApiTokenAuditActions.Unused)
            {
                foreach (var change in record.Changes)
                {
                    if (change.Field is "daysLeft" or "idleDays" && long.TryParse(change.New, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                    {
                        json.WriteNumber(change.Field, number);
                    }
                    else
                    {
                        json.WriteString(change.Field, change.New);
                    }
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        return new ApiTokenEvent(type, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    // The test event an endpoint can be sent from the management API.
    public static ApiTokenEvent Test(string webhookId, string actor, DateTimeOffset at)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, s_options))
        {
            json.WriteStartObject();
            json.WriteString("type", ApiTokenEventTypes.Test);
            json.WriteString("timestamp", Wire(at));
            json.WriteStartObject("data");
            json.WriteString("webhookId", webhookId);
            json.WriteString("actor", actor);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return new ApiTokenEvent(ApiTokenEventTypes.Test, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    private static string? TypeOf(ApiTokenAuditRecord record) => record.Action switch
    {
        ApiTokenAuditActions.Created or ApiTokenAuditActions.Imported => ApiTokenEventTypes.Created,
        ApiTokenAuditActions.Updated or ApiTokenAuditActions.CappedByRoleChange => ApiTokenEventTypes.Updated,
        ApiTokenAuditActions.AppFirstSeen => IsPendingSight(record) ? ApiTokenEventTypes.AppWaiting : ApiTokenEventTypes.AppDecided,
        ApiTokenAuditActions.AppDecided => ApiTokenEventTypes.AppDecided,
        ApiTokenAuditActions.Retired or ApiTokenAuditActions.RetiredByMemberRemoval => ApiTokenEventTypes.Retired,
        ApiTokenAuditActions.Promoted => ApiTokenEventTypes.Promoted,
        ApiTokenAuditActions.Rotated => ApiTokenEventTypes.Rotated,
        ApiTokenAuditActions.Expiring => ApiTokenEventTypes.Expiring,
        ApiTokenAuditActions.Expired => ApiTokenEventTypes.Expired,
        ApiTokenAuditActions.Unused => ApiTokenEventTypes.Unused,
        ApiTokenAuditActions.PreviousSecretReused => ApiTokenEventTypes.PreviousSecretReused,
        _ => null,
    };

    private static bool IsPendingSight(ApiTokenAuditRecord record)
    {
        foreach (var change in record.Changes)
        {
            if (change.Field == "state")
            {
                return change.New == "pending";
            }
        }

        return false;
    }

    // Why a token was retired, from who retired it.
    private static string? ReasonOf(ApiTokenAuditRecord record, ApiToken token) => record.Action switch
    {
        ApiTokenAuditActions.RetiredByMemberRemoval => "member_removed",
        ApiTokenAuditActions.Retired => record.Actor switch
        {
            ApiTokenAuditActors.RevocationRequest => "revocation_request",
            ApiTokenAuditActors.UnusedPolicy => "unused",
            ApiTokenAuditActors.PreviousSecretReuse => "previous_secret_reused",
            var actor when actor.StartsWith(ApiTokenAuditActors.LeakReportPrefix, StringComparison.Ordinal) => "leak_report",
            var actor when actor == token.OwnerId => "owner",
            _ => "admin",
        },
        _ => null,
    };

    // The token as the management API writes it (docs/management-api.md, "A token in JSON").
    private static void WriteToken(Utf8JsonWriter json, ApiToken token, TokenPrivilege? effective, bool expired)
    {
        json.WriteStartObject();
        json.WriteString("id", token.Id);
        json.WriteString("type", AuditRecords.Wire(token.Type));
        json.WriteString("accountId", token.AccountId);
        json.WriteString("ownerId", token.OwnerId);
        json.WriteString("createdBy", token.CreatedBy);
        json.WriteString("createdAt", Wire(token.CreatedAt));
        json.WriteString("description", token.Description);
        json.WriteString("privilege", AuditRecords.Wire(token.Privilege));
        json.WriteString("effectivePrivilege", effective is { } e ? AuditRecords.Wire(e) : null);
        json.WriteString("defaultAppState", AuditRecords.Wire(token.DefaultAppState));
        json.WriteStartArray("apps");
        foreach (var app in token.Apps)
        {
            json.WriteStartObject();
            json.WriteString("name", app.Name);
            json.WriteString("state", AuditRecords.Wire(app.State));
            json.WriteString("firstSeenAt", Wire(app.FirstSeenAt));
            json.WriteString("lastUsedAt", Wire(app.LastUsedAt));
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteBoolean("retired", token.IsRetired);
        json.WriteString("retiredAt", Wire(token.RetiredAt));
        json.WriteString("retiredBy", token.RetiredBy);
        json.WriteString("promotedAt", Wire(token.PromotedAt));
        json.WriteString("promotedBy", token.PromotedBy);
        json.WriteString("formerOwnerId", token.FormerOwnerId);
        json.WriteString("expiresAt", Wire(token.ExpiresAt));
        json.WriteBoolean("expired", expired);
        json.WriteString("lastUsedAt", Wire(token.LastUsedAt));
        json.WriteString("rotatedAt", Wire(token.RotatedAt));
        json.WriteString("previousSecretExpiresAt", Wire(token.PreviousSecretExpiresAt));
        json.WriteString("secretHint", token.SecretHint);
        json.WriteNumber("version", token.Version);
        json.WriteStartArray("allowedNetworks");
        foreach (var network in token.AllowedNetworks)
        {
            json.WriteStringValue(network);
        }

        json.WriteEndArray();
        if (token.RateLimit is { } limit)
        {
            json.WriteStartObject("rateLimit");
            json.WriteNumber("limit", limit.Limit);
            json.WriteNumber("windowSeconds", limit.WindowSeconds);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("rateLimit");
        }

        json.WriteStartArray("scopes");
        foreach (var scope in token.Scopes)
        {
            json.WriteStringValue(scope);
        }

        json.WriteEndArray();

        json.WriteEndObject();
    }

    private static string? Wire(DateTimeOffset? value) => value?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
