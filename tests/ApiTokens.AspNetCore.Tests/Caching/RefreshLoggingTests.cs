using System.Net;
using ApiTokens.Membership;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApiTokens.AspNetCore.Tests.Caching;

// The background parts log through the host's own logging: a reload of cached tokens that stops on an
// error nobody expected (event 17, Error) reaches the host's logger providers, not a logger of its own.
[TestClass]
public sealed class RefreshLoggingTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R25")]
    public async Task RefreshDrainFailure_ReachesTheHostsLogger_AsEvent17()
    {
        var sink = new EventSink(17);
        var membership = new FailingBatchMembership();
        await using var host = await ApiHost.StartAsync(services: s =>
        {
            s.AddSingleton<ILoggerProvider>(sink);
            s.AddSingleton<IAccountMembership>(membership);
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode, "cached");

        // Past the refresh point (70-90 % of the 30 s lifetime): the hit queues a reload, whose batch
        // asks for the owners' roles together, and the host's membership source has a defect there.
        membership.FailBatches = true;
        host.Time.Advance(TimeSpan.FromSeconds(28));
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret)).StatusCode, "served from the cache meanwhile");
        host.Time.Advance(TimeSpan.FromSeconds(1));

        var logged = await sink.Logged.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        Assert.AreEqual(LogLevel.Error, logged.Level);
        Assert.AreEqual("ApiTokens.Caching.ApiTokenCache", logged.Category);
        Assert.IsInstanceOfType<InvalidOperationException>(logged.Exception);
    }

    private sealed class FailingBatchMembership : IAccountMembership
    {
        private readonly InMemoryAccountMembership _members = new();

        public FailingBatchMembership() => _members.SetRole("acme", "bob", TokenPrivilege.Normal);

        public volatile bool FailBatches;

        public ValueTask<TokenPrivilege?> GetRoleAsync(string accountId, string userId, CancellationToken cancellationToken)
            => _members.GetRoleAsync(accountId, userId, cancellationToken);

        public ValueTask<IReadOnlyDictionary<string, TokenPrivilege>> GetRolesAsync(string accountId, IReadOnlyCollection<string> userIds, CancellationToken cancellationToken)
            => FailBatches ? throw new InvalidOperationException("the directory query is malformed") : ((IAccountMembership)_members).GetRolesAsync(accountId, userIds, cancellationToken);
    }

    // A logger provider of the host's, completed by the first entry with the event id.
    private sealed class EventSink(int eventId) : ILoggerProvider
    {
        public int EventId { get; } = eventId;

        public TaskCompletionSource<(LogLevel Level, string Category, Exception? Exception)> Logged { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(EventSink sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId id, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (id.Id == sink.EventId)
                {
                    sink.Logged.TrySetResult((logLevel, category, exception));
                }
            }
        }
    }
}
