using ApiTokens.Caching;
using ApiTokens.Recording;
using ApiTokens.Validation;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.Benchmarks;

// R39's cost on the hit: judging an allowed app through the recorder, for a token's entry without the
// "first use of the new secret" duty (every token but a freshly self-rotated one), and for one with it
// already claimed (the hits after the first, until the change reaches the cache): one field read, and
// then one plain read. The baseline is repeated last because this shared machine drifts.
[Config(typeof(BenchConfig))]
public class SelfRotationBenchmarks
{
    private BenchHost _host = null!;
    private UseRecorder _recorder = null!;
    private CachedApiToken _plain = null!;
    private CachedApiToken _selfRotated = null!;
    private int _app;

    [GlobalSetup]
    public void Setup()
    {
        _host = BenchHost.Create();
        _recorder = _host.Services.GetRequiredService<UseRecorder>();
        var at = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var token = new ApiToken
        {
            Id = "bench-self-rotate",
            Type = TokenType.Account,
            AccountId = "acme",
            CreatedBy = "alice",
            CreatedAt = at,
            Privilege = TokenPrivilege.Normal,
            DefaultAppState = AppState.Allow,
            Apps = [new TokenApp(BenchHost.AppName, AppState.Allow, at)],
            SecretHash = new byte[32],
            SecretHint = "apt_****",
            SelfRotate = true,
        };
        _plain = new CachedApiToken(new ApiTokenLookup(token, TokenPrivilege.Normal), long.MaxValue);
        _selfRotated = new CachedApiToken(new ApiTokenLookup(token, TokenPrivilege.Normal, EndsPreviousSecret: true), long.MaxValue);
        if (!_selfRotated.TryClaimPreviousSecretEnd() || !_plain.TryFindApp(BenchHost.AppName, out _, out _app))
        {
            throw new InvalidOperationException("Benchmark setup is wrong.");
        }
    }

    [GlobalCleanup]
    public ValueTask CleanupAsync() => _host.DisposeAsync();

    [Benchmark(Baseline = true, Description = "Judge an allowed app, no self-rotation duty (every other token)")]
    public ApiTokenValidationResult Plain() => _recorder.Judge(_plain, _app, AppState.Allow);

    [Benchmark(Description = "Judge an allowed app, a self-rotated entry whose first use was claimed")]
    public ApiTokenValidationResult SelfRotated() => _recorder.Judge(_selfRotated, _app, AppState.Allow);

    [Benchmark(Description = "Judge an allowed app, no duty (again, run last)")]
    public ApiTokenValidationResult PlainAgain() => Plain();
}
