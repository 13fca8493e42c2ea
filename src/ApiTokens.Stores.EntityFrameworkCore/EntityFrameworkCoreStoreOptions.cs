namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>Options of the Entity Framework Core token store; set by its registration and by add-ons.</summary>
public sealed class EntityFrameworkCoreStoreOptions
{
    /// <summary>The <c>DbContext</c> type the store uses (set by <c>AddEntityFrameworkCoreStore&lt;TContext&gt;()</c>).</summary>
    public Type? ContextType { get; set; }

    /// <summary>
    /// When set (by <c>AddPostgreSqlNotifications()</c>), on PostgreSQL every change the store writes
    /// also sends <c>NOTIFY</c> on this channel with the token's id, in the same transaction as the
    /// change: a change that rolls back announces nothing, and one that commits cannot be lost
    /// between its commit and its announcement (R26). Default: <see langword="null"/>.
    /// </summary>
    public string? NotificationChannel { get; set; }
}
