using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens.Stores.EntityFrameworkCore;

// Checks at start-up (ApiTokenOptions are validated on start) that the store can work at all: a
// context factory is registered, its model has the ApiTokens tables, and its provider is one the
// store is tested on. A configuration error then stops the host with a message that says what to
// do, instead of surfacing as 503 "store unavailable" on every request.
internal sealed class EntityFrameworkCoreStoreValidator<TContext>(IServiceProvider services) : IValidateOptions<ApiTokenOptions>
    where TContext : DbContext
{
    // The providers whose SQL (row lock, INSERT … ON CONFLICT DO NOTHING) the store uses and tests.
    private static readonly string[] s_supportedProviders = ["Npgsql.EntityFrameworkCore.PostgreSQL", "Microsoft.EntityFrameworkCore.Sqlite"];

    public static readonly string NoFactory = $"The ApiTokens Entity Framework Core store needs a context factory: call services.AddDbContextFactory<{typeof(TContext).Name}>(...) or AddPooledDbContextFactory<{typeof(TContext).Name}>(...) (package Microsoft.EntityFrameworkCore.Sqlite or Npgsql.EntityFrameworkCore.PostgreSQL).";

    public ValidateOptionsResult Validate(string? name, ApiTokenOptions options)
    {
        if (!string.IsNullOrEmpty(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var context = typeof(TContext).Name;
        var factory = services.GetService<IDbContextFactory<TContext>>();
        if (factory is null)
        {
            return ValidateOptionsResult.Fail(NoFactory);
        }

        string? provider;
        bool mapped;
        try
        {
            using var db = factory.CreateDbContext();
            provider = db.Database.ProviderName;
            mapped = db.Model.FindEntityType(typeof(ApiTokenEntity)) is not null && db.Model.FindEntityType(typeof(ApiTokenAppEntity)) is not null;
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail($"The ApiTokens Entity Framework Core store could not create {context}: {ex.Message}");
        }

        if (!mapped)
        {
            return ValidateOptionsResult.Fail($"The model of {context} has no ApiTokens tables: call modelBuilder.UseApiTokens() in its OnModelCreating (or derive it from ApiTokensDbContext), then add a migration.");
        }

        if (Array.IndexOf(s_supportedProviders, provider) < 0)
        {
            return ValidateOptionsResult.Fail($"The ApiTokens Entity Framework Core store supports PostgreSQL (Npgsql) and SQLite; {context} uses '{provider}'.");
        }

        return ValidateOptionsResult.Success;
    }
}
