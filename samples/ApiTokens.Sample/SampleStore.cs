using ApiTokens.Sample.Data;
using Microsoft.EntityFrameworkCore;

namespace ApiTokens.Sample;

// --store sqlite (default: data/apitokens.db under the current directory) | postgres (--connection) | inmemory.
internal static class SampleStore
{
    public static string Configure(WebApplicationBuilder builder)
    {
        var store = (builder.Configuration["store"] ?? "sqlite").ToLowerInvariant();
        var connection = builder.Configuration["connection"];
        var tokens = builder.Services.AddApiTokens().AddInMemoryMembership(Demo.DemoDirectory.Seed).AddEventHandler<WaitingAppNotifier>().AddEventHandler<LeakNotifier>();

        // --redis <connection>: token rate limits counted across instances (R34); without it each
        // instance counts on its own.
        if (builder.Configuration["redis"] is { Length: > 0 } redis)
        {
            tokens.AddRedisRateLimits(redis);
        }

        switch (store)
        {
            case "inmemory":
                tokens.AddInMemoryStore();
                return "in-memory (tokens are lost when the process stops)";

            case "sqlite":
                if (string.IsNullOrEmpty(connection))
                {
                    var directory = Path.Combine(Directory.GetCurrentDirectory(), "data");
                    Directory.CreateDirectory(directory);
                    connection = $"Data Source={Path.Combine(directory, "apitokens.db")}";
                }

                builder.Services.AddDbContextFactory<SampleSqliteDbContext>(o => o.UseSqlite(connection));
                tokens.AddEntityFrameworkCoreStore<SampleSqliteDbContext>();
                return $"SQLite, {new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connection).DataSource}";

            case "postgres":
                if (string.IsNullOrEmpty(connection))
                {
                    throw new InvalidOperationException("--store postgres needs --connection \"Host=...;Username=...;Password=...;Database=...\".");
                }

                builder.Services.AddDbContextFactory<SamplePostgresDbContext>(o => o.UseNpgsql(connection));
                // Several instances on one database see each other's changes within a second (R26).
                tokens.AddEntityFrameworkCoreStore<SamplePostgresDbContext>().AddPostgreSqlNotifications();
                return "PostgreSQL with cross-node notifications, " + new Npgsql.NpgsqlConnectionStringBuilder(connection) { Password = null }.ConnectionString;

            default:
                throw new InvalidOperationException($"Unknown --store '{store}'. Use sqlite (the default), postgres or inmemory.");
        }
    }

    // Applies the sample's migrations before it serves requests.
    public static void Migrate(WebApplication app)
    {
        if (app.Services.GetService<IDbContextFactory<SampleSqliteDbContext>>() is { } sqlite)
        {
            using var context = sqlite.CreateDbContext();
            context.Database.Migrate();
            context.Database.ExecuteSqlRaw("PRAGMA journal_mode=WAL;");
        }

        if (app.Services.GetService<IDbContextFactory<SamplePostgresDbContext>>() is { } postgres)
        {
            using var context = postgres.CreateDbContext();
            context.Database.Migrate();
        }
    }
}
