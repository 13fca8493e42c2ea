using ApiTokens.AspNetCore;
using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.AspNetCore.LeakReports;
using ApiTokens.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the secret-scanning report endpoint (R31, docs/secret-scanning.md).</summary>
public static class ApiTokenLeakReportEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST {prefix}/github</c>: GitHub's secret-scanning partner reports, signed with ECDSA
    /// P-256 / SHA-256 and verified against the keys at <c>ApiTokens:LeakReports:GitHubKeysUrl</c>.
    /// Every reported live secret retires its token at once, audited with the actor
    /// <c>leak-report:github</c>; the answer labels each secret <c>true_positive</c> or
    /// <c>false_positive</c>. The endpoint needs no sign-in of the host (it allows anonymous
    /// requests even under a fallback policy): the signature is its authentication.
    /// </summary>
    /// <param name="endpoints">The route builder.</param>
    /// <param name="prefix">The route prefix, for example <c>/api/tokens/leaks</c>.</param>
    /// <returns>The group, for further conventions.</returns>
    public static RouteGroupBuilder MapApiTokenLeakReports(this IEndpointRouteBuilder endpoints, string prefix)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        ApiTokenStartupChecks.ThrowIfSchemeMissing(endpoints.ServiceProvider, nameof(MapApiTokenLeakReports));

        var group = endpoints.MapGroup(prefix)
            .WithTags("API tokens")
            .AllowAnonymous()
            .AddEndpointFilter(ApiTokenEndpoints.StoreFailureFilter);
        new ManagementOperation
        {
            Body = typeof(GitHubLeakReportEntry[]), BodyName = "GitHubLeakReport", SignIn = false, CrossOrigin = false,
            RequiredHeaders =
            [
                (LeakReportEndpoints.KeyIdHeader, "The id of GitHub's public key that signed the report."),
                (LeakReportEndpoints.SignatureHeader, "The base64 ECDSA P-256 SHA-256 signature of the raw body."),
            ],
            Errors = LeakReportEndpoints.Errors,
        }.ApplyTo(
            group.MapPost("/github", LeakReportEndpoints.GitHubAsync)
                .WithName("ApiTokens_GitHubLeakReport")
                .WithSummary("Receives GitHub secret-scanning reports; retires every reported live secret.")
                .Produces<GitHubLeakReportLabel[]>(StatusCodes.Status200OK, "application/json"));
        return group;
    }
}
