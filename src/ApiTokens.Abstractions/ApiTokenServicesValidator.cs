using ApiTokens.Membership;
using ApiTokens.Stores;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ApiTokens;

// Checked at start-up with the options (ValidateOnStart): a host that forgot the store or the
// membership source learns which call to add, instead of "Unable to resolve service for type
// IAccountMembership" on its first request.
internal sealed class ApiTokenServicesValidator(IServiceProviderIsService services) : IValidateOptions<ApiTokenOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenOptions options)
    {
        if (!string.IsNullOrEmpty(name))
        {
            return ValidateOptionsResult.Skip;
        }

        List<string>? failures = null;
        if (!services.IsService(typeof(IApiTokenStore)))
        {
            (failures ??= []).Add("No API token store is registered: add one to services.AddApiTokens(), for example .AddInMemoryStore() (package ApiTokens.Stores.InMemory) or .AddEntityFrameworkCoreStore<TContext>() (package ApiTokens.Stores.EntityFrameworkCore).");
        }

        if (!services.IsService(typeof(IAccountMembership)))
        {
            (failures ??= []).Add("No membership source is registered: ApiTokens reads members' roles through IAccountMembership. Add .AddMembership<YourMembership>() to services.AddApiTokens(), or .AddInMemoryMembership(m => m.SetRole(\"acme\", \"alice\", TokenPrivilege.Admin)) to try it out.");
        }

        return failures is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
