using ApiTokens.Stores.EntityFrameworkCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Adds the ApiTokens tables to a model.</summary>
public static class ApiTokensModelBuilderExtensions
{
    /// <summary>
    /// Maps <see cref="ApiTokenEntity"/> to <c>api_tokens</c> and <see cref="ApiTokenAppEntity"/> to
    /// <c>api_token_apps</c>: unique indexes on the secret hash and the previous secret hash (R23), apps keyed by (token, name), and a
    /// version column used as the concurrency token; and <see cref="ApiTokenAuditEntity"/> to
    /// <c>api_token_audit</c> (R24), indexed by account and by token; <see cref="ApiTokenUsageEntity"/> to
    /// <c>api_token_usage</c> (R35), <see cref="ApiTokenOutboxEntity"/> to <c>api_token_outbox</c>, indexed by
    /// kind and due time, and <see cref="ApiTokenWebhookEntity"/> and <see cref="ApiTokenWebhookDeliveryEntity"/>
    /// to <c>api_token_webhooks</c> and <c>api_token_webhook_deliveries</c> (R37). Call it from
    /// <c>OnModelCreating</c>, then add a migration.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="schema">An optional schema for both tables.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder UseApiTokens(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<ApiTokenEntity>(token =>
        {
            token.ToTable("api_tokens", schema);
            token.HasKey(t => t.Id);
            token.Property(t => t.Id).HasColumnName("id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxTokenIdLength);
            token.Property(t => t.Type).HasColumnName("type");
            token.Property(t => t.AccountId).HasColumnName("account_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength).IsRequired();
            token.Property(t => t.OwnerId).HasColumnName("owner_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength);
            token.Property(t => t.CreatedBy).HasColumnName("created_by").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength).IsRequired();
            token.Property(t => t.CreatedAt).HasColumnName("created_at");
            token.Property(t => t.Description).HasColumnName("description").HasMaxLength(ApiTokens.ApiTokenOptions.MaxDescriptionLength);
            token.Property(t => t.Privilege).HasColumnName("privilege");
            token.Property(t => t.DefaultAppState).HasColumnName("default_app_state");
            token.Property(t => t.RetiredAt).HasColumnName("retired_at");
            token.Property(t => t.RetiredBy).HasColumnName("retired_by").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength);
            token.Property(t => t.PromotedAt).HasColumnName("promoted_at");
            token.Property(t => t.PromotedBy).HasColumnName("promoted_by").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength);
            token.Property(t => t.FormerOwnerId).HasColumnName("former_owner_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength);
            token.Property(t => t.SecretHash).HasColumnName("secret_hash").HasMaxLength(ApiTokens.Secrets.ApiTokenSecretCodec.HashLength).IsRequired();
            token.Property(t => t.SecretHint).HasColumnName("secret_hint").HasMaxLength(64).IsRequired();
            token.Property(t => t.ExpiresAt).HasColumnName("expires_at");
            token.Property(t => t.LastUsedAt).HasColumnName("last_used_at");
            token.Property(t => t.RotatedAt).HasColumnName("rotated_at");
            token.Property(t => t.PreviousSecretHash).HasColumnName("previous_secret_hash").HasMaxLength(ApiTokens.Secrets.ApiTokenSecretCodec.HashLength);
            token.Property(t => t.PreviousSecretExpiresAt).HasColumnName("previous_secret_expires_at");
            token.Property(t => t.AllowedNetworks).HasColumnName("allowed_networks").HasMaxLength(ApiTokens.ApiTokenNetworks.MaxNetworks * 44);
            token.Property(t => t.Scopes).HasColumnName("scopes").HasMaxLength(ApiTokens.ApiTokenScopes.MaxScopes * (ApiTokens.ApiTokenScopes.MaxLength + 1));
            token.Property(t => t.RateLimit).HasColumnName("rate_limit");
            token.Property(t => t.RateLimitWindowSeconds).HasColumnName("rate_limit_window_seconds");
            token.Property(t => t.SelfRotate).HasColumnName("self_rotate");
            token.Property(t => t.ExpiryWarnedFor).HasColumnName("expiry_warned_for");
            token.Property(t => t.ExpiryWarnedThreshold).HasColumnName("expiry_warned_threshold");
            token.Property(t => t.UnusedWarnedSince).HasColumnName("unused_warned_since");
            token.Property(t => t.Version).HasColumnName("version").IsConcurrencyToken();
            token.HasIndex(t => t.SecretHash).IsUnique().HasDatabaseName("ix_api_tokens_secret_hash");
            token.HasIndex(t => t.PreviousSecretHash).IsUnique().HasDatabaseName("ix_api_tokens_previous_secret_hash");
            token.HasIndex(t => new { t.AccountId, t.OwnerId }).HasDatabaseName("ix_api_tokens_account_owner");

            // The lifecycle sweep's candidates (R38): expiring soon, or idle.
            token.HasIndex(t => t.ExpiresAt).HasDatabaseName("ix_api_tokens_expires_at");
            token.HasIndex(t => t.LastUsedAt).HasDatabaseName("ix_api_tokens_last_used_at");
            token.HasMany(t => t.Apps).WithOne().HasForeignKey(a => a.TokenId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ApiTokenAppEntity>(app =>
        {
            app.ToTable("api_token_apps", schema);
            app.HasKey(a => new { a.TokenId, a.Name }).HasName("pk_api_token_apps");
            app.Property(a => a.TokenId).HasColumnName("token_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxTokenIdLength);
            app.Property(a => a.Name).HasColumnName("name").HasMaxLength(ApiTokens.ApiTokenOptions.MaxAppNameLength);
            app.Property(a => a.State).HasColumnName("state");
            app.Property(a => a.FirstSeenAt).HasColumnName("first_seen_at");
            app.Property(a => a.LastUsedAt).HasColumnName("last_used_at");
        });

        modelBuilder.Entity<ApiTokenUsageEntity>(usage =>
        {
            usage.ToTable("api_token_usage", schema);
            usage.HasKey(u => new { u.TokenId, u.AppName, u.Day }).HasName("pk_api_token_usage");
            usage.Property(u => u.TokenId).HasColumnName("token_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxTokenIdLength);
            usage.Property(u => u.AppName).HasColumnName("app_name").HasMaxLength(ApiTokens.ApiTokenOptions.MaxAppNameLength);
            usage.Property(u => u.Day).HasColumnName("day");
            usage.Property(u => u.Allowed).HasColumnName("allowed");
            usage.Property(u => u.Pending).HasColumnName("pending");
            usage.Property(u => u.Denied).HasColumnName("denied");
            usage.Property(u => u.Limited).HasColumnName("limited");
            usage.HasIndex(u => u.Day).HasDatabaseName("ix_api_token_usage_day");
            usage.HasOne<ApiTokenEntity>().WithMany().HasForeignKey(u => u.TokenId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ApiTokenAuditEntity>(audit =>
        {
            audit.ToTable("api_token_audit", schema);
            audit.HasKey(a => a.Sequence).HasName("pk_api_token_audit");
            audit.Property(a => a.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
            audit.Property(a => a.Id).HasColumnName("id").HasMaxLength(64).IsRequired();
            audit.Property(a => a.At).HasColumnName("at");
            audit.Property(a => a.TokenId).HasColumnName("token_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxTokenIdLength).IsRequired();
            audit.Property(a => a.AccountId).HasColumnName("account_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength).IsRequired();
            audit.Property(a => a.Actor).HasColumnName("actor").HasMaxLength(ApiTokens.ApiTokenOptions.MaxAppNameLength + 8).IsRequired();
            audit.Property(a => a.Action).HasColumnName("action").HasMaxLength(64).IsRequired();
            audit.Property(a => a.Changes).HasColumnName("changes").IsRequired();
            audit.HasIndex(a => a.Id).IsUnique().HasDatabaseName("ix_api_token_audit_id");
            audit.HasIndex(a => new { a.AccountId, a.Sequence }).HasDatabaseName("ix_api_token_audit_account");
            audit.HasIndex(a => new { a.TokenId, a.Sequence }).HasDatabaseName("ix_api_token_audit_token");
        });

        modelBuilder.Entity<ApiTokenOutboxEntity>(message =>
        {
            message.ToTable("api_token_outbox", schema);
            message.HasKey(m => m.Id).HasName("pk_api_token_outbox");
            message.Property(m => m.Id).HasColumnName("id").HasMaxLength(64);
            message.Property(m => m.Kind).HasColumnName("kind").HasMaxLength(64).IsRequired();
            message.Property(m => m.Payload).HasColumnName("payload").IsRequired();
            message.Property(m => m.CreatedAt).HasColumnName("created_at");
            message.Property(m => m.NextAttemptAt).HasColumnName("next_attempt_at");
            message.Property(m => m.Attempts).HasColumnName("attempts");
            message.HasIndex(m => new { m.Kind, m.NextAttemptAt }).HasDatabaseName("ix_api_token_outbox_due");
        });

        modelBuilder.Entity<ApiTokenWebhookEntity>(webhook =>
        {
            webhook.ToTable("api_token_webhooks", schema);
            webhook.HasKey(w => w.Id).HasName("pk_api_token_webhooks");
            webhook.Property(w => w.Id).HasColumnName("id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxTokenIdLength);
            webhook.Property(w => w.AccountId).HasColumnName("account_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength).IsRequired();
            webhook.Property(w => w.Url).HasColumnName("url").HasMaxLength(2048).IsRequired();
            webhook.Property(w => w.Events).HasColumnName("events").HasMaxLength(1024);
            webhook.Property(w => w.Description).HasColumnName("description").HasMaxLength(ApiTokens.ApiTokenOptions.MaxDescriptionLength);
            webhook.Property(w => w.Enabled).HasColumnName("enabled");
            webhook.Property(w => w.DisabledReason).HasColumnName("disabled_reason").HasMaxLength(256);
            webhook.Property(w => w.ProtectedSecret).HasColumnName("protected_secret").IsRequired();
            webhook.Property(w => w.ProtectedPreviousSecret).HasColumnName("protected_previous_secret");
            webhook.Property(w => w.PreviousSecretExpiresAt).HasColumnName("previous_secret_expires_at");
            webhook.Property(w => w.FailingSince).HasColumnName("failing_since");
            webhook.Property(w => w.CreatedBy).HasColumnName("created_by").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength).IsRequired();
            webhook.Property(w => w.CreatedAt).HasColumnName("created_at");
            webhook.Property(w => w.Version).HasColumnName("version").IsConcurrencyToken();
            webhook.HasIndex(w => w.AccountId).HasDatabaseName("ix_api_token_webhooks_account");
        });

        modelBuilder.Entity<ApiTokenWebhookDeliveryEntity>(delivery =>
        {
            delivery.ToTable("api_token_webhook_deliveries", schema);
            delivery.HasKey(d => d.Sequence).HasName("pk_api_token_webhook_deliveries");
            delivery.Property(d => d.Sequence).HasColumnName("sequence").ValueGeneratedOnAdd();
            delivery.Property(d => d.Id).HasColumnName("id").HasMaxLength(64).IsRequired();
            delivery.Property(d => d.WebhookId).HasColumnName("webhook_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxTokenIdLength).IsRequired();
            delivery.Property(d => d.AccountId).HasColumnName("account_id").HasMaxLength(ApiTokens.ApiTokenOptions.MaxMemberIdLength).IsRequired();
            delivery.Property(d => d.EventId).HasColumnName("event_id").HasMaxLength(64).IsRequired();
            delivery.Property(d => d.Type).HasColumnName("type").HasMaxLength(64).IsRequired();
            delivery.Property(d => d.Payload).HasColumnName("payload").IsRequired();
            delivery.Property(d => d.CreatedAt).HasColumnName("created_at");
            delivery.Property(d => d.Attempts).HasColumnName("attempts");
            delivery.Property(d => d.Status).HasColumnName("status");
            delivery.Property(d => d.LastStatusCode).HasColumnName("last_status_code");
            delivery.Property(d => d.NextAttemptAt).HasColumnName("next_attempt_at");
            delivery.Property(d => d.LastAttemptAt).HasColumnName("last_attempt_at");
            delivery.HasIndex(d => d.Id).IsUnique().HasDatabaseName("ix_api_token_webhook_deliveries_id");
            delivery.HasIndex(d => new { d.Status, d.NextAttemptAt }).HasDatabaseName("ix_api_token_webhook_deliveries_due");
            delivery.HasIndex(d => new { d.WebhookId, d.Sequence }).HasDatabaseName("ix_api_token_webhook_deliveries_webhook");
            delivery.HasOne<ApiTokenWebhookEntity>().WithMany().HasForeignKey(d => d.WebhookId).OnDelete(DeleteBehavior.Cascade);
        });

        return modelBuilder;
    }
}
