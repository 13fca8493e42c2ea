using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApiTokens.AspNetCore.LeakReports;

// GitHub's secret-scanning keys (R31): read through IHttpClientFactory with a timeout, kept until a
// report names a key id not among them, then read again — at most once per KeysRefreshInterval, one
// read at a time. Verification is the BCL's ECDsa (P-256, SHA-256, DER signatures).
//
// The keys are kept as their public key bytes (SubjectPublicKeyInfo), and each verification imports
// its own ECDsa and disposes it: a re-read swaps the set while other requests verify, and a shared
// ECDsa disposed under them would throw. Reports are rare; an import costs microseconds.
internal sealed partial class GitHubSecretScanningKeys(
    IHttpClientFactory clients,
    IOptionsMonitor<ApiTokenLeakReportOptions> options,
    TimeProvider time,
    ILogger<GitHubSecretScanningKeys> logger) : IDisposable
{
    public const string HttpClientName = "ApiTokens.LeakReports.GitHub";

    private readonly SemaphoreSlim _reading = new(1, 1);
    private FrozenDictionary<string, byte[]> _keys = FrozenDictionary<string, byte[]>.Empty;
    private DateTimeOffset? _lastRead;
    private DateTimeOffset? _lastFailure;

    // After a failed read, reports are refused at once for this long instead of each waiting for
    // the key server again.
    private static readonly TimeSpan s_failureBackoff = TimeSpan.FromSeconds(5);

    public enum Verdict
    {
        Valid,
        BadSignature,
        UnknownKey,
        KeyServerUnavailable,
    }

    public async Task<Verdict> VerifyAsync(string keyId, ReadOnlyMemory<byte> body, byte[] signature, CancellationToken cancellationToken)
    {
        if (!_keys.TryGetValue(keyId, out var key))
        {
            var read = await ReadAgainAsync(cancellationToken).ConfigureAwait(false);
            if (!_keys.TryGetValue(keyId, out key))
            {
                return read ? Verdict.UnknownKey : Verdict.KeyServerUnavailable;
            }
        }

        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key, out _);
            return ecdsa.VerifyData(body.Span, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence) ? Verdict.Valid : Verdict.BadSignature;
        }
        catch (CryptographicException)
        {
            return Verdict.BadSignature;
        }
    }

    // False when the key server could not be read (down, slow, or an answer that is not the keys);
    // true when it was read now or recently enough that reading again is not allowed yet.
    private async Task<bool> ReadAgainAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        await _reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = time.GetUtcNow();
            if (_lastRead is { } last && now - last < settings.KeysRefreshInterval)
            {
                return true;
            }

            if (_lastFailure is { } failed && now - failed < s_failureBackoff)
            {
                return false;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(settings.KeysTimeout);
            try
            {
                using var client = clients.CreateClient(HttpClientName);
                using var response = await client.GetAsync(new Uri(settings.GitHubKeysUrl), timeout.Token).ConfigureAwait(false);
                response.EnsureSuccessStatusCode();
                await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
                using var document = await JsonDocument.ParseAsync(stream, cancellationToken: timeout.Token).ConfigureAwait(false);
                var keys = Parse(document.RootElement);
                _keys = keys;
                _lastRead = now;

                LogKeysRead(logger, keys.Count);
                return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or OperationCanceledException or CryptographicException or ArgumentException or KeyNotFoundException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                LogKeysUnavailable(logger, ex, settings.GitHubKeysUrl);
                _lastFailure = now;
                return false;
            }
        }
        finally
        {
            _reading.Release();
        }
    }

    private static FrozenDictionary<string, byte[]> Parse(JsonElement root)
    {
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var entry in root.GetProperty("public_keys").EnumerateArray())
        {
            var id = entry.GetProperty("key_identifier").GetString();
            var pem = entry.GetProperty("key").GetString();
            if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(pem))
            {
                continue;
            }

            using var key = ECDsa.Create();
            key.ImportFromPem(pem);
            keys[id] = key.ExportSubjectPublicKeyInfo();
        }

        return keys.ToFrozenDictionary(StringComparer.Ordinal);
    }

    public void Dispose() => _reading.Dispose();

    [LoggerMessage(50, LogLevel.Information, "Read {Count} secret-scanning keys from GitHub's key server.")]
    private static partial void LogKeysRead(ILogger logger, int count);

    [LoggerMessage(51, LogLevel.Warning, "The secret-scanning keys could not be read from {Url}; reports are refused with 503 until they can.")]
    private static partial void LogKeysUnavailable(ILogger logger, Exception exception, string url);
}
