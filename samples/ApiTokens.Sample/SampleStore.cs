namespace ApiTokens.Sample;

// --store inmemory (default until the database store exists).
internal static class SampleStore
{
    public static string Configure(WebApplicationBuilder builder)
    {
        var store = (builder.Configuration["store"] ?? "inmemory").ToLowerInvariant();
        var tokens = builder.Services.AddApiTokens().AddInMemoryMembership(Demo.DemoDirectory.Seed);
        switch (store)
        {
            case "inmemory":
                tokens.AddInMemoryStore();
                return "in-memory (tokens are lost when the process stops)";
            default:
                throw new InvalidOperationException($"Unknown --store '{store}'. Use inmemory.");
        }
    }
}
