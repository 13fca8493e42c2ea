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

    /// <summary>
    /// This node's mark on its announcements (set by <c>AddPostgreSqlNotifications()</c>): the payload
    /// is the token's id, a space and this value, so the node's own listener can tell its own echo
    /// from another node's change and keep what it has just updated in its cache. Default:
    /// <see langword="null"/> (the payload is the id alone).
    /// </summary>
    public string? NotificationOrigin { get; set; }
}
