using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Stores.EntityFrameworkCore;

/// <summary>A ready-made context holding only the ApiTokens tables, for hosts without a DbContext of their own.</summary>
public class ApiTokensDbContext : DbContext
{
    /// <summary>Creates the context.</summary>
    /// <param name="options">The options (provider, connection string).</param>
    public ApiTokensDbContext(DbContextOptions<ApiTokensDbContext> options)
        : base(options)
    {
    }

    /// <summary>Creates the context from options of a derived context type.</summary>
    /// <param name="options">The options.</param>
    protected ApiTokensDbContext(DbContextOptions options)
        : base(options)
    {
    }

    /// <summary>The tokens.</summary>
    public DbSet<ApiTokenEntity> ApiTokens => Set<ApiTokenEntity>();

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.UseApiTokens();
    }
}
