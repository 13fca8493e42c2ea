// The first snippet of src/ApiTokens.AspNetCore/README.md, as a new `dotnet new web` app would hold it.
using System.Security.Claims;
using ApiTokens;
using ApiTokens.Management;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddApiTokens()
    .AddInMemoryStore()                                                      // ApiTokens.Stores.InMemory
    .AddInMemoryMembership(m => m.SetRole("acme", "alice", TokenPrivilege.Admin));
builder.Services.AddAuthentication().AddApiTokens();
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();
app.MapGet("/hello", (ClaimsPrincipal user) => $"hello {user.Identity?.Name}").RequireApiToken();

await app.StartAsync();

// A first token, minted from code on behalf of a member; the secret is shown once.
using (var scope = app.Services.CreateScope())
{
    var manager = scope.ServiceProvider.GetRequiredService<ApiTokenManager>();
    var created = await manager.CreateAsync(new ApiTokenActor("acme", "alice"), new CreateApiTokenRequest { Type = TokenType.User });
    Console.WriteLine($"token: {created.Value!.Secret}");
}

await app.WaitForShutdownAsync();
