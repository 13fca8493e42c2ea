using ApiTokens.Secrets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens;

// ApiTokenBootstrapOptions from "ApiTokens:Bootstrap", code after it, like ApiTokenOptions.
internal sealed class ApiTokenBootstrapConfiguration(IServiceProvider services) : IConfigureOptions<ApiTokenBootstrapOptions>
{
    // R43: every key of the section ("Privlege" stops the start instead of a ReadOnly token).
    internal static readonly SettingsSchema Schema = new SettingsSchema()
        .Text(nameof(ApiTokenBootstrapOptions.AccountId))
        .Text(nameof(ApiTokenBootstrapOptions.Secret))
        .Text(nameof(ApiTokenBootstrapOptions.SecretSha256))
        .Choice<TokenPrivilege>(nameof(ApiTokenBootstrapOptions.Privilege))
        .Text(nameof(ApiTokenBootstrapOptions.Description))
        .Choice<AppState>(nameof(ApiTokenBootstrapOptions.DefaultAppState), optional: true);

    public void Configure(ApiTokenBootstrapOptions options)
    {
        if (services.GetService<IConfiguration>()?.GetSection(ApiTokenBootstrapOptions.SectionName) is { } section)
        {
            Schema.ThrowIfInvalid<ApiTokenBootstrapOptions>(section);
            section.Bind(options);
        }
    }
}

internal sealed class ApiTokenBootstrapValidator(ApiTokenSecretCodec secrets) : IValidateOptions<ApiTokenBootstrapOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiTokenBootstrapOptions options)
        => !options.IsConfigured || ApiTokenBootstrapOptions.Validate(options, secrets) is not { } problem
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(problem);
}

// R36: ensures the configured first token before the host starts serving (StartingAsync runs before
// any hosted service's StartAsync, the server's included). A store that cannot be reached stops the
// start: the operator sees why at once instead of a service that answers 401 to its only client.
internal sealed partial class ApiTokenBootstrapper(
    IServiceScopeFactory scopes,
    IOptions<ApiTokenBootstrapOptions> options,
    ILogger<ApiTokenBootstrapper> logger) : IHostedLifecycleService
{
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        var bootstrap = options.Value;
        if (!bootstrap.IsConfigured)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        var manager = scope.ServiceProvider.GetRequiredService<ApiTokenManager>();
        var result = await manager.EnsureBootstrapTokenAsync(bootstrap, cancellationToken).ConfigureAwait(false);
        if (result.Created)
        {
            LogCreated(logger, result.TokenId!, bootstrap.AccountId!);
        }
        else if (result.Retired)
        {
            LogRetired(logger, bootstrap.AccountId!);
        }
        else
        {
            LogExists(logger, result.TokenId!, bootstrap.AccountId!);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(30, LogLevel.Information, "Bootstrap API token {TokenId} created in account {AccountId} (ApiTokens:Bootstrap).")]
    private static partial void LogCreated(ILogger logger, string tokenId, string accountId);

    [LoggerMessage(31, LogLevel.Debug, "Bootstrap API token {TokenId} of account {AccountId} already exists.")]
    private static partial void LogExists(ILogger logger, string tokenId, string accountId);

    [LoggerMessage(32, LogLevel.Warning, "The bootstrap API token of account {AccountId} was retired and is not created again; remove ApiTokens:Bootstrap or configure a new secret.")]
    private static partial void LogRetired(ILogger logger, string accountId);
}
