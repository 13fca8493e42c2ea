using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

internal static class EntityMapping
{
    // PostgreSQL keeps microseconds; every provider gets the same precision so a token read back
    // equals the token written. Offsets are normalised to UTC (Npgsql requires it).
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var utc = value.ToUniversalTime();
        return new DateTimeOffset(utc.Ticks - (utc.Ticks % 10), TimeSpan.Zero);
    }

    public static DateTimeOffset? Normalize(DateTimeOffset? value) => value is { } v ? Normalize(v) : null;

    public static ApiToken ToToken(ApiTokenEntity entity)
    {
        var apps = new List<TokenApp>(entity.Apps.Count);
        foreach (var app in entity.Apps)
        {
            apps.Add(new TokenApp(app.Name, app.State, Normalize(app.FirstSeenAt)) { LastUsedAt = Normalize(app.LastUsedAt) });
        }

        // First seen first; names break ties (pre-decided apps recorded in one instant).
        apps.Sort(static (a, b) =>
        {
            var byTime = a.FirstSeenAt.CompareTo(b.FirstSeenAt);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Name, b.Name);
        });

        return new ApiToken
        {
            Id = entity.Id,
            Type = entity.Type,
            AccountId = entity.AccountId,
            OwnerId = entity.OwnerId,
            CreatedBy = entity.CreatedBy,
            CreatedAt = Normalize(entity.CreatedAt),
            Description = entity.Description,
            Privilege = entity.Privilege,
            DefaultAppState = entity.DefaultAppState,
            Apps = apps,
            RetiredAt = Normalize(entity.RetiredAt),
            RetiredBy = entity.RetiredBy,
            PromotedAt = Normalize(entity.PromotedAt),
            PromotedBy = entity.PromotedBy,
            FormerOwnerId = entity.FormerOwnerId,
            SecretHash = entity.SecretHash,
            SecretHint = entity.SecretHint,
            ExpiresAt = Normalize(entity.ExpiresAt),
            LastUsedAt = Normalize(entity.LastUsedAt),
            RotatedAt = Normalize(entity.RotatedAt),
            PreviousSecretHash = entity.PreviousSecretHash,
            PreviousSecretExpiresAt = Normalize(entity.PreviousSecretExpiresAt),
            AllowedNetworks = string.IsNullOrEmpty(entity.AllowedNetworks) ? [] : entity.AllowedNetworks.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            Scopes = string.IsNullOrEmpty(entity.Scopes) ? [] : entity.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries),
            RateLimit = entity.RateLimit is { } limit && entity.RateLimitWindowSeconds is { } window ? new ApiTokenRateLimit(limit, window) : null,
            SelfRotate = entity.SelfRotate,
            ExpiryWarnedFor = Normalize(entity.ExpiryWarnedFor),
            ExpiryWarnedThreshold = entity.ExpiryWarnedThreshold is { } ticks ? TimeSpan.FromTicks(ticks) : null,
            UnusedWarnedSince = Normalize(entity.UnusedWarnedSince),
            Version = entity.Version,
        };
    }

    public static ApiTokenEntity ToEntity(ApiToken token, long version)
    {
        var entity = new ApiTokenEntity { Id = token.Id, SecretHash = (byte[])token.SecretHash.Clone(), Version = version };
        CopyFields(token, entity);
        foreach (var app in token.Apps)
        {
            entity.Apps.Add(new ApiTokenAppEntity { TokenId = token.Id, Name = app.Name, State = app.State, FirstSeenAt = Normalize(app.FirstSeenAt) });
        }

        return entity;
    }

    // Everything an update may change. Id, account, version and last-use times are not among them;
    // the secret hashes change when a token is rotated (R23).
    public static void CopyFields(ApiToken token, ApiTokenEntity entity)
    {
        entity.Type = token.Type;
        entity.AccountId ??= token.AccountId;
        entity.OwnerId = token.OwnerId;
        entity.CreatedBy = token.CreatedBy;
        entity.CreatedAt = Normalize(token.CreatedAt);
        entity.Description = token.Description;
        entity.Privilege = token.Privilege;
        entity.DefaultAppState = token.DefaultAppState;
        entity.RetiredAt = Normalize(token.RetiredAt);
        entity.RetiredBy = token.RetiredBy;
        entity.PromotedAt = Normalize(token.PromotedAt);
        entity.PromotedBy = token.PromotedBy;
        entity.FormerOwnerId = token.FormerOwnerId;
        entity.SecretHint = token.SecretHint;
        entity.SecretHash = (byte[])token.SecretHash.Clone();
        entity.PreviousSecretHash = (byte[]?)token.PreviousSecretHash?.Clone();
        entity.PreviousSecretExpiresAt = Normalize(token.PreviousSecretExpiresAt);
        entity.ExpiresAt = Normalize(token.ExpiresAt);
        entity.RotatedAt = Normalize(token.RotatedAt);
        entity.AllowedNetworks = token.AllowedNetworks.Count == 0 ? null : string.Join(' ', token.AllowedNetworks);
        entity.Scopes = token.Scopes.Count == 0 ? null : string.Join(' ', token.Scopes);
        entity.RateLimit = token.RateLimit?.Limit;
        entity.RateLimitWindowSeconds = token.RateLimit?.WindowSeconds;
        entity.SelfRotate = token.SelfRotate;
        entity.ExpiryWarnedFor = Normalize(token.ExpiryWarnedFor);
        entity.ExpiryWarnedThreshold = token.ExpiryWarnedThreshold?.Ticks;
        entity.UnusedWarnedSince = Normalize(token.UnusedWarnedSince);
    }

    // The stored apps brought to the token's: states and first sightings updated, removed ones deleted,
    // new ones added (last uses are RecordUsesAsync's, never an update's).
    public static void SyncApps(DbContext context, ApiTokenEntity entity, ApiToken token)
    {
        var wanted = new Dictionary<string, TokenApp>(token.Apps.Count, StringComparer.Ordinal);
        foreach (var app in token.Apps)
        {
            wanted[app.Name] = app;
        }

        foreach (var existing in entity.Apps.ToList())
        {
            if (wanted.Remove(existing.Name, out var app))
            {
                existing.State = app.State;
                existing.FirstSeenAt = EntityMapping.Normalize(app.FirstSeenAt);
            }
            else
            {
                entity.Apps.Remove(existing);
                context.Remove(existing);
            }
        }

        foreach (var app in wanted.Values)
        {
            entity.Apps.Add(new ApiTokenAppEntity { TokenId = entity.Id, Name = app.Name, State = app.State, FirstSeenAt = EntityMapping.Normalize(app.FirstSeenAt) });
        }
    }
}
