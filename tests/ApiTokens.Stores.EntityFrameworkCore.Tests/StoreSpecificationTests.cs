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
