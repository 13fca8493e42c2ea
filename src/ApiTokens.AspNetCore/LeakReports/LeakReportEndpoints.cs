using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ApiTokens.AspNetCore.Http;
using ApiTokens.Auditing;
using ApiTokens.AspNetCore.OpenApi;
using ApiTokens.Management;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.LeakReports;

// R31: GitHub's secret-scanning reports. The body is read whole (at most 1 MiB), its signature
// checked over the raw bytes before anything is parsed, and only then are the reported secrets
// hashed and looked up. Nothing of a reported secret reaches a log, a metric or an error body.
internal static partial class LeakReportEndpoints
{
    // Every problem the endpoint answers, declared once: written from here, described from here.
    internal static readonly EndpointError InvalidReport = new(StatusCodes.Status400BadRequest, "InvalidReport");
    internal static readonly EndpointError BadSignature = new(StatusCodes.Status401Unauthorized, "Unauthorized.BadSignature");
    internal static readonly EndpointError UnknownKey = new(StatusCodes.Status401Unauthorized, "Unauthorized.UnknownKey");
    internal static readonly EndpointError ReportTooLarge = new(StatusCodes.Status413PayloadTooLarge, "ReportTooLarge");
    internal static readonly EndpointError KeyServer = new(StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable.KeyServer");

    public static EndpointError[] Errors => [InvalidReport, BadSignature, UnknownKey, ReportTooLarge, KeyServer];

    public const string GitHubActor = ApiTokenAuditActors.GitHubLeakReport;
    public const string SignatureHeader = "Github-Public-Key-Signature";
    public const string KeyIdHeader = "Github-Public-Key-Identifier";

    public static async Task<IResult> GitHubAsync(HttpContext context, GitHubSecretScanningKeys keys, IOptionsMonitor<ApiTokenLeakReportOptions> options, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger("ApiTokens.AspNetCore.LeakReports");
        var request = context.Request;
        if (request.ContentLength > ApiTokenLeakReportOptions.MaxBodyBytes)
        {
            return TooLarge(context);
        }

        var body = await ReadBodyAsync(request, context.RequestAborted);
        if (body is null)
        {
            return TooLarge(context);
        }

        var keyId = request.Headers[KeyIdHeader].ToString();
        var signatureText = request.Headers[SignatureHeader].ToString();
        var signature = new byte[signatureText.Length];
        if (keyId.Length is 0 or > 512 || !Convert.TryFromBase64String(signatureText, signature, out var signatureLength) || signatureLength == 0)
        {
            return Problem(context, BadSignature, "The report is not signed.", $"Send the ECDSA signature of the body in {SignatureHeader} and its key id in {KeyIdHeader}.");
        }

        switch (await keys.VerifyAsync(keyId, body.Value, signature[..signatureLength], context.RequestAborted))
        {
            case GitHubSecretScanningKeys.Verdict.Valid:
                break;
            case GitHubSecretScanningKeys.Verdict.KeyServerUnavailable:
                ApiTokenProblems.SetRetryAfter(context, options.CurrentValue.RetryAfter);
                return Problem(context, KeyServer, "The report's signature cannot be checked now.", "The keys that verify reports could not be read; nothing was accepted. Send the report again later.");
            case GitHubSecretScanningKeys.Verdict.UnknownKey:
                LogRefused(logger, "unknown key id");
                return Problem(context, UnknownKey, "The report is signed with an unknown key.", "The key id is not among the published secret-scanning keys.");
            default:
                LogRefused(logger, "bad signature");
                return Problem(context, BadSignature, "The report's signature does not verify.", "Nothing was changed.");
        }

        GitHubLeakReportEntry[]? entries;
        try
        {
            entries = JsonSerializer.Deserialize(body.Value.Span, LeakReportJsonContext.Default.GitHubLeakReportEntryArray);
        }
        catch (JsonException)
        {
            // The exception's message may quote the body: it is not echoed or logged.
            entries = null;
        }

        if (entries is null || entries.Any(e => e is null || string.IsNullOrEmpty(e.Token)))
        {
            return Problem(context, InvalidReport, "The report is not a JSON array of {token, type, url, source}.", "Every entry needs a token.");
        }

        if (entries.Length > ApiTokenLeakReportOptions.MaxEntries)
        {
            return Problem(context, InvalidReport, "The report has too many entries.", $"A report holds at most {ApiTokenLeakReportOptions.MaxEntries} entries; split it.");
        }

        var manager = context.RequestServices.GetRequiredService<ApiTokenManager>();
        var results = await manager.RetireLeakedSecretsAsync([.. entries.Select(e => new LeakedSecret(e.Token!, e.Source, e.Url))], GitHubActor, context.RequestAborted);
        var labels = new GitHubLeakReportLabel[entries.Length];
        var known = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var positive = results[i].Status != LeakedSecretStatus.Unknown;
            known += positive ? 1 : 0;
            labels[i] = new GitHubLeakReportLabel
            {
                TokenHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(entries[i].Token!))),
                TokenType = entries[i].Type,
                Label = positive ? "true_positive" : "false_positive",
            };
        }

        LogReport(logger, entries.Length, known, results.Count(r => r.Status == LeakedSecretStatus.Retired));
        context.Response.Headers.CacheControl = "no-store";
        return TypedResults.Json(labels, LeakReportJsonContext.Default.GitHubLeakReportLabelArray);
    }

    // The whole body, or null when it is larger than the limit (Content-Length may be absent).
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > ApiTokenLeakReportOptions.MaxBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ProblemHttpResult TooLarge(HttpContext context)
        => Problem(context, ReportTooLarge, "The report is too large.", $"A report is at most {ApiTokenLeakReportOptions.MaxBodyBytes / 1024 / 1024} MiB; split it.");

    private static ProblemHttpResult Problem(HttpContext context, EndpointError error, string message, string explanation)
        => ApiTokenProblems.Result(context, error.Status, error.Code, message, explanation);

    [LoggerMessage(52, LogLevel.Warning, "A secret-scanning report was refused: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string reason);

    [LoggerMessage(53, LogLevel.Information, "A secret-scanning report of {Entries} secrets: {Known} are or were secrets here, {Retired} tokens retired now.")]
    private static partial void LogReport(ILogger logger, int entries, int known, int retired);
}
