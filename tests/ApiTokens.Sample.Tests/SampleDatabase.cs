using ApiTokens.Stores.EntityFrameworkCore.Tests;
using Npgsql;

namespace ApiTokens.Sample.Tests;

// The sample's store for one test: in-memory, a SQLite file in a temporary directory, or a new
// database on a throwaway PostgreSQL cluster. Args go to SampleServer.StartAsync; disposing removes it.
internal sealed record SampleDatabase(string[] Args, PostgresCluster? Cluster, DirectoryInfo? Directory) : IAsyncDisposable
{
    public static async Task<SampleDatabase> CreateAsync(string store, CancellationToken cancellationToken)
    {
        switch (store)
        {
            case "sqlite":
                var directory = System.IO.Directory.CreateTempSubdirectory("apitokens-sample-");
                return new(["--store", "sqlite", "--connection", $"Data Source={Path.Combine(directory.FullName, "apitokens.db")};Pooling=False"], null, directory);
            case "postgres":
                var cluster = await PostgresClusters.StartForTestsAsync();
                var name = "sample_" + Guid.NewGuid().ToString("N")[..12];
                await using (var connection = new NpgsqlConnection(cluster.ConnectionString("postgres")))
                {
                    await connection.OpenAsync(cancellationToken);
                    await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken);
                }

                return new(["--store", "postgres", "--connection", cluster.ConnectionString(name)], cluster, null);
            default:
                return new([], null, null);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }

        Directory?.Delete(recursive: true);
    }
}
