using ApiTokens.Stores.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace ApiTokens.Sample.Data;

// One context type per provider, so each has its own migrations (Data/Migrations/Sqlite, .../Postgres).
public sealed class SampleSqliteDbContext(DbContextOptions<SampleSqliteDbContext> options) : ApiTokensDbContext(options);

public sealed class SamplePostgresDbContext(DbContextOptions<SamplePostgresDbContext> options) : ApiTokensDbContext(options);

// For `dotnet ef migrations add`: no database is contacted.
internal sealed class SampleSqliteDesignTimeFactory : IDesignTimeDbContextFactory<SampleSqliteDbContext>
{
    public SampleSqliteDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SampleSqliteDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class SamplePostgresDesignTimeFactory : IDesignTimeDbContextFactory<SamplePostgresDbContext>
{
    public SamplePostgresDbContext CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SamplePostgresDbContext>().UseNpgsql("Host=localhost;Database=apitokens").Options);
}
