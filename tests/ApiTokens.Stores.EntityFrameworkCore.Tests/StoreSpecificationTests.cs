using ApiTokens.Stores.Specification;

namespace ApiTokens.Stores.EntityFrameworkCore.Tests;

// The shared store specification, unchanged, on a real SQLite file and a real PostgreSQL server.
[TestClass]
public sealed class SqliteStoreSpecificationTests : ApiTokenStoreSpecification
{
    private static string s_connectionString = null!;

    [ClassInitialize]
    public static async Task CreateDatabaseAsync(TestContext _) => s_connectionString = await Databases.NewSqliteDatabaseAsync();

    protected override Task<IApiTokenStore> CreateStoreAsync()
        => Task.FromResult<IApiTokenStore>(new EntityFrameworkCoreApiTokenStore<TestDbContext>(new OptionsFactory(Databases.Sqlite(s_connectionString))));
}

[TestClass]
public sealed class PostgresStoreSpecificationTests : ApiTokenStoreSpecification
{
    private static string? s_connectionString;

    protected override async Task<IApiTokenStore> CreateStoreAsync()
    {
        s_connectionString ??= await Databases.NewPostgresDatabaseAsync();
        return new EntityFrameworkCoreApiTokenStore<TestDbContext>(new OptionsFactory(Databases.Postgres(s_connectionString)));
    }
}

// The capabilities, on the same two databases (one of each for all their classes).
internal static class CapabilityStores
{
    private static readonly Lazy<Task<string>> s_sqlite = new(Databases.NewSqliteDatabaseAsync);
    private static readonly Lazy<Task<string>> s_postgres = new(Databases.NewPostgresDatabaseAsync);

    public static async Task<EntityFrameworkCoreApiTokenStore<TestDbContext>> SqliteAsync()
        => new(new OptionsFactory(Databases.Sqlite(await s_sqlite.Value)));

    public static async Task<EntityFrameworkCoreApiTokenStore<TestDbContext>> PostgresAsync()
        => new(new OptionsFactory(Databases.Postgres(await s_postgres.Value)));
}

[TestClass]
public sealed class SqliteBatchLookupSpecificationTests : ApiTokenBatchLookupStoreSpecification
{
    protected override async Task<IApiTokenBatchLookupStore> CreateStoreAsync() => await CapabilityStores.SqliteAsync();
}

[TestClass]
public sealed class SqliteAuditSpecificationTests : ApiTokenAuditStoreSpecification
{
    protected override async Task<IApiTokenAuditStore> CreateStoreAsync() => await CapabilityStores.SqliteAsync();
}

[TestClass]
public sealed class SqliteUsageSpecificationTests : ApiTokenUsageStoreSpecification
{
    protected override async Task<IApiTokenUsageStore> CreateStoreAsync() => await CapabilityStores.SqliteAsync();
}

[TestClass]
public sealed class SqliteOutboxSpecificationTests : ApiTokenOutboxStoreSpecification
{
    protected override async Task<IApiTokenOutboxStore> CreateStoreAsync() => await CapabilityStores.SqliteAsync();
}

[TestClass]
public sealed class PostgresBatchLookupSpecificationTests : ApiTokenBatchLookupStoreSpecification
{
    protected override async Task<IApiTokenBatchLookupStore> CreateStoreAsync() => await CapabilityStores.PostgresAsync();
}

[TestClass]
public sealed class PostgresAuditSpecificationTests : ApiTokenAuditStoreSpecification
{
    protected override async Task<IApiTokenAuditStore> CreateStoreAsync() => await CapabilityStores.PostgresAsync();
}

[TestClass]
public sealed class PostgresUsageSpecificationTests : ApiTokenUsageStoreSpecification
{
    protected override async Task<IApiTokenUsageStore> CreateStoreAsync() => await CapabilityStores.PostgresAsync();
}

[TestClass]
public sealed class PostgresOutboxSpecificationTests : ApiTokenOutboxStoreSpecification
{
    protected override async Task<IApiTokenOutboxStore> CreateStoreAsync() => await CapabilityStores.PostgresAsync();
}

// Claims see every account's deliveries: each webhook test gets a database of its own.
[TestClass]
public sealed class SqliteWebhookSpecificationTests : ApiTokenWebhookStoreSpecification
{
    protected override async Task<IApiTokenWebhookStore> CreateStoreAsync()
        => new EntityFrameworkCoreApiTokenStore<TestDbContext>(new OptionsFactory(Databases.Sqlite(await Databases.NewSqliteDatabaseAsync())));
}

[TestClass]
public sealed class PostgresWebhookSpecificationTests : ApiTokenWebhookStoreSpecification
{
    protected override async Task<IApiTokenWebhookStore> CreateStoreAsync()
        => new EntityFrameworkCoreApiTokenStore<TestDbContext>(new OptionsFactory(Databases.Postgres(await Databases.NewPostgresDatabaseAsync())));
}

[TestClass]
public sealed class SqliteLifecycleSpecificationTests : ApiTokenLifecycleStoreSpecification
{
    protected override async Task<IApiTokenLifecycleStore> CreateStoreAsync() => await CapabilityStores.SqliteAsync();
}

[TestClass]
public sealed class PostgresLifecycleSpecificationTests : ApiTokenLifecycleStoreSpecification
{
    protected override async Task<IApiTokenLifecycleStore> CreateStoreAsync() => await CapabilityStores.PostgresAsync();
}
