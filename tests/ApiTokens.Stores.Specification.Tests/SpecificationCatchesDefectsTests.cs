using System.Collections.Concurrent;
using ApiTokens.Auditing;

[assembly: Parallelize(Scope = ExecutionScope.MethodLevel)]

namespace ApiTokens.Stores.Specification.Tests;

// A store that implements only the core contract, as a third party might write it, passes the core
// specification whole: no capability is needed for it.
[TestClass]
public sealed class CoreOnlyStoreSpecificationTests : ApiTokenStoreSpecification
{
    private static readonly SpecificationCatchesDefectsTests.SimpleStore s_store = new();

    protected override Task<IApiTokenStore> CreateStoreAsync() => Task.FromResult<IApiTokenStore>(s_store);
}

// The specification is only worth shipping if it fails a store that breaks the contract. Each test
// runs one specification test against a store with one deliberate defect and expects it to fail.
[TestClass]
public sealed partial class SpecificationCatchesDefectsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task ContractKeepingStore_PassesTheUniquenessAndUpdateTests()
    {
        var spec = Against(new SimpleStore());

        await spec.CreateAsync_DuplicateIdWithAnotherHash_ThrowsStoreExceptionAndKeepsFirst();
        await spec.CreateAsync_DuplicateSecretHashWithAnotherId_ThrowsStoreExceptionAndKeepsFirst();
        await spec.UpdateAsync_NeverChangesTheAccount();
        await spec.UpdateAsync_StaleVersion_ThrowsConflictAndChangesNothing();
        await spec.UpdateAsync_Rotation_FindsTheTokenByTheNewAndPreviousHash_NotByADroppedOne();
        await spec.UpdateAsync_KeepsTheStoredLastUse_WhateverTheTokenPassedHolds();
        await spec.TryCreateAsync_CountsTheHoldersActiveTokensOfTheType_RefusesAtTheLimitAndAddsNothing();
        await spec.TryUpdateAsync_ConcurrentPromotionsAtTheQuotaEdge_NeverExceedTheLimit();
        await spec.TryUpdateAsync_Promotion_CountsTheAccountsActiveTokens_RefusesAtTheLimitAndChangesNothing();
        await spec.RecordAppAsync_ConcurrentFirstUses_ExactlyOneSaysItRecorded();
        await spec.RecordAppAsync_SaysWhetherThisCallRecordedTheApp();
        await spec.ListAsync_KeysetPages_ReturnEveryTokenOnce_InOrder_WithTiesBrokenById();
        await spec.ListAsync_FiltersByAccountAndOwner_NewestFirst_RetiredIncluded();
    }

    [TestMethod]
    public async Task StoreWhoseBatchFindReturnsATokenOncePerHash_FailsTheSpecification()
    {
        var spec = new BatchSpecification(new SimpleBatchStore { BatchFindDeduplicates = false }) { TestContext = TestContext };

        await new BatchSpecification(new SimpleBatchStore()) { TestContext = TestContext }.FindBySecretHashesAsync_WithoutRetired_FindsEachActiveTokenOnce_ByItsCurrentOrPreviousHash();
        await Assert.ThrowsAsync<AssertFailedException>(spec.FindBySecretHashesAsync_WithoutRetired_FindsEachActiveTokenOnce_ByItsCurrentOrPreviousHash);
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task StoreCountingOutsideItsLock_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { CheckQuota = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.TryCreateAsync_ConcurrentCreations_NeverExceedTheLimit);
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task StoreCountingPromotionsOutsideItsLock_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { CheckQuota = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.TryUpdateAsync_ConcurrentPromotionsAtTheQuotaEdge_NeverExceedTheLimit);
    }

    [TestMethod]
    [TestCategory("R24")]
    public async Task StoreThatSaysItRecordedAnAppAlreadyThere_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { SaysWhetherItRecorded = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.RecordAppAsync_ConcurrentFirstUses_ExactlyOneSaysItRecorded);
        await Assert.ThrowsAsync<AssertFailedException>(spec.RecordAppAsync_SaysWhetherThisCallRecordedTheApp);
    }

    [TestMethod]
    [TestCategory("R28")]
    public async Task StoreThatListsEverythingInsteadOfAPage_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { ListsAPage = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.ListAsync_KeysetPages_ReturnEveryTokenOnce_InOrder_WithTiesBrokenById);
    }

    [TestMethod]
    [TestCategory("R17")]
    public async Task StoreAcceptingADuplicateSecretHash_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { CheckHashUniqueness = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.CreateAsync_DuplicateSecretHashWithAnotherId_ThrowsStoreExceptionAndKeepsFirst);
    }

    [TestMethod]
    public async Task StoreReplacingATokenWithADuplicateId_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { CheckIdUniqueness = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.CreateAsync_DuplicateIdWithAnotherHash_ThrowsStoreExceptionAndKeepsFirst);
    }

    [TestMethod]
    public async Task StoreWhoseUpdateRewritesTheAccount_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { UpdateKeepsIdentity = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.UpdateAsync_NeverChangesTheAccount);
    }

    [TestMethod]
    [TestCategory("R23")]
    public async Task StoreThatFindsOnlyTheCurrentHash_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { FindsPreviousHash = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.UpdateAsync_Rotation_FindsTheTokenByTheNewAndPreviousHash_NotByADroppedOne);
    }

    [TestMethod]
    [TestCategory("R22")]
    public async Task StoreWhoseUpdateOverwritesLastUse_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { UpdateKeepsLastUse = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.UpdateAsync_KeepsTheStoredLastUse_WhateverTheTokenPassedHolds);
    }

    [TestMethod]
    [TestCategory("R19")]
    public async Task StoreWithoutVersionCheck_FailsTheSpecification()
    {
        var spec = Against(new SimpleStore { CheckVersion = false });

        await Assert.ThrowsAsync<AssertFailedException>(spec.UpdateAsync_StaleVersion_ThrowsConflictAndChangesNothing);
    }

    [TestMethod]
    [TestCategory("R32")]
    public async Task OutboxWhoseClaimIsNotAtomic_FailsTheSpecification()
    {
        await new OutboxSpecification(new SimpleOutbox()) { TestContext = TestContext }.ClaimAsync_ConcurrentClaimers_EachMessageToExactlyOne();

        await Assert.ThrowsAsync<AssertFailedException>(new OutboxSpecification(new SimpleOutbox { ClaimsAtomically = false }) { TestContext = TestContext }.ClaimAsync_ConcurrentClaimers_EachMessageToExactlyOne);
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task StoreThatWritesAChangeWithoutItsDeliveries_FailsTheSpecification()
    {
        await new WebhookSpecification(() => new SimpleWebhookStore()) { TestContext = TestContext }.TryCreateAsync_WithAnEvent_WritesOneDeliveryPerEndpointOfTheAccountThatReceivesIt();
        await new WebhookSpecification(() => new SimpleWebhookStore()) { TestContext = TestContext }.EveryWriteWithAnEvent_WritesItsDelivery_AndAWriteWithoutOne_WritesNone();

        var spec = new WebhookSpecification(() => new SimpleWebhookStore { DeliversWithTheChange = false }) { TestContext = TestContext };
        await Assert.ThrowsAsync<AssertFailedException>(spec.TryCreateAsync_WithAnEvent_WritesOneDeliveryPerEndpointOfTheAccountThatReceivesIt);
        await Assert.ThrowsAsync<AssertFailedException>(spec.EveryWriteWithAnEvent_WritesItsDelivery_AndAWriteWithoutOne_WritesNone);
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task WebhookStoreWhoseClaimIsNotAtomic_FailsTheSpecification()
    {
        await new WebhookSpecification(() => new SimpleWebhookStore()) { TestContext = TestContext }.ClaimDeliveriesAsync_ConcurrentClaimers_EachDeliveryToExactlyOne();

        await Assert.ThrowsAsync<AssertFailedException>(new WebhookSpecification(() => new SimpleWebhookStore { ClaimsAtomically = false }) { TestContext = TestContext }.ClaimDeliveriesAsync_ConcurrentClaimers_EachDeliveryToExactlyOne);
    }

    private Specification Against(IApiTokenStore store) => new(store) { TestContext = TestContext };

    // Not [TestClass]es: the runner does not pick them up; the tests above call their methods.
#pragma warning disable MSTEST0030 // Deliberately not discovered: run only against the defective stores above.
    private sealed class Specification(IApiTokenStore store) : ApiTokenStoreSpecification
    {
        protected override Task<IApiTokenStore> CreateStoreAsync() => Task.FromResult(store);
    }

    private sealed class BatchSpecification(IApiTokenBatchLookupStore store) : ApiTokenBatchLookupStoreSpecification
    {
        protected override Task<IApiTokenBatchLookupStore> CreateStoreAsync() => Task.FromResult(store);
    }

    private sealed class OutboxSpecification(IApiTokenOutboxStore store) : ApiTokenOutboxStoreSpecification
    {
        protected override Task<IApiTokenOutboxStore> CreateStoreAsync() => Task.FromResult(store);
    }

    private sealed class WebhookSpecification(Func<IApiTokenWebhookStore> newStore) : ApiTokenWebhookStoreSpecification
    {
        protected override Task<IApiTokenWebhookStore> CreateStoreAsync() => Task.FromResult(newStore());
    }
#pragma warning restore MSTEST0030

    // The core with a batch find of its own, which can return a token once per hash.
    private sealed class SimpleBatchStore : SimpleStore, IApiTokenBatchLookupStore
    {
        public bool BatchFindDeduplicates { get; init; } = true;

        public async Task<IReadOnlyList<ApiToken>> FindBySecretHashesAsync(IReadOnlyList<ReadOnlyMemory<byte>> secretHashes, bool includeRetired, CancellationToken cancellationToken)
        {
            var found = new List<ApiToken>();
            foreach (var hash in secretHashes)
            {
                if (await FindBySecretHashAsync(hash, includeRetired, cancellationToken) is { } token && (!BatchFindDeduplicates || !found.Any(t => t.Id == token.Id)))
                {
                    found.Add(token);
                }
            }

            return found;
        }
    }

    // An outbox whose claim can read and then mark, letting racing claimers take one message twice.
    private sealed class SimpleOutbox : SimpleStore, IApiTokenOutboxStore
    {
        private readonly ConcurrentDictionary<string, ApiTokenOutboxMessage> _messages = new(StringComparer.Ordinal);
        private readonly Lock _claims = new();
        private readonly TaskCompletionSource _racing = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _claimers;

        public bool ClaimsAtomically { get; init; } = true;

        public Task EnqueueAsync(ApiTokenOutboxMessage message, CancellationToken cancellationToken)
            => _messages.TryAdd(message.Id, message) ? Task.CompletedTask : throw new ApiTokenStoreException("duplicate");

        public async Task<IReadOnlyList<ApiTokenOutboxMessage>> ClaimAsync(string kind, DateTimeOffset now, TimeSpan lease, int max, CancellationToken cancellationToken)
        {
            if (!ClaimsAtomically)
            {
                // The defect: pick, wait for a second claimer to pick too, then mark.
                var picked = Due(kind, now, max);
                if (Interlocked.Increment(ref _claimers) > 1)
                {
                    _racing.TrySetResult();
                }

                await _racing.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
                return Mark(picked, now, lease);
            }

            lock (_claims)
            {
                return Mark(Due(kind, now, max), now, lease);
            }
        }

        public Task CompleteAsync(string id, CancellationToken cancellationToken)
        {
            _messages.TryRemove(id, out _);
            return Task.CompletedTask;
        }

        private List<ApiTokenOutboxMessage> Due(string kind, DateTimeOffset now, int max)
            => [.. _messages.Values.Where(m => m.Kind == kind && m.NextAttemptAt <= now).OrderBy(m => m.NextAttemptAt).Take(max)];

        private List<ApiTokenOutboxMessage> Mark(List<ApiTokenOutboxMessage> picked, DateTimeOffset now, TimeSpan lease)
            => picked.ConvertAll(m => _messages[m.Id] = m with { NextAttemptAt = now + lease, Attempts = m.Attempts + 1 });
    }

    // A plain store under one lock whose contract checks can be switched off one at a time: the core
    // contract only, as a third party might write it.
    internal class SimpleStore : IApiTokenStore
    {
        private readonly ConcurrentDictionary<string, ApiToken> _tokens = new(StringComparer.Ordinal);
        private readonly Lock _lock = new();

        public bool CheckIdUniqueness { get; init; } = true;

        public bool CheckHashUniqueness { get; init; } = true;

        public bool UpdateKeepsIdentity { get; init; } = true;

        public bool CheckVersion { get; init; } = true;

        public bool FindsPreviousHash { get; init; } = true;

        public bool UpdateKeepsLastUse { get; init; } = true;

        public bool CheckQuota { get; init; } = true;

        private readonly TaskCompletionSource _overlap = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _counted;

        public bool SaysWhetherItRecorded { get; init; } = true;

        public bool ListsAPage { get; init; } = true;

        public async Task<ApiToken?> TryCreateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
        {
            if (!CheckQuota)
            {
                // The defect: a check outside the lock, so racing creations all pass it.
                var active = _tokens.Values.Count(t => t.AccountId == token.AccountId && t.Type == token.Type && t.OwnerId == token.OwnerId && !t.IsRetired);
                await OverlapAsync(maxActive);
                return active >= maxActive ? null : await InsertAsync(token, audit);
            }

            lock (_lock)
            {
                // The count and the insert are one step (Lock is re-entrant).
                if (_tokens.Values.Count(t => t.AccountId == token.AccountId && t.Type == token.Type && t.OwnerId == token.OwnerId && !t.IsRetired) >= maxActive)
                {
                    return null;
                }

                return InsertAsync(token, audit).Result;
            }
        }

        private Task<ApiToken> InsertAsync(ApiToken token, ApiTokenAuditRecord? audit)
        {
            lock (_lock)
            {
                if (CheckIdUniqueness && _tokens.ContainsKey(token.Id))
                {
                    throw new ApiTokenStoreException("duplicate");
                }

                if (CheckHashUniqueness && _tokens.Values.Any(t => t.SecretHash.AsSpan().SequenceEqual(token.SecretHash) || (t.PreviousSecretHash is { } previous && previous.AsSpan().SequenceEqual(token.SecretHash))))
                {
                    throw new ApiTokenDuplicateSecretException();
                }

                var stored = token with { Version = 1 };
                _tokens[token.Id] = stored;
                Landed(audit);
                return Task.FromResult(stored);
            }
        }

        public Task<ApiToken> UpdateAsync(ApiToken token, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (!_tokens.TryGetValue(token.Id, out var current) || (CheckVersion && current.Version != token.Version))
                {
                    throw new ApiTokenConcurrencyException();
                }

                var stored = token with { Version = current.Version + 1 };
                if (UpdateKeepsIdentity)
                {
                    stored = stored with { AccountId = current.AccountId };
                }

                if (UpdateKeepsLastUse)
                {
                    stored = stored with
                    {
                        LastUsedAt = current.LastUsedAt,
                        Apps = [.. stored.Apps.Select(a => a with { LastUsedAt = current.FindApp(a.Name)?.LastUsedAt })],
                    };
                }

                _tokens[token.Id] = stored;
                Landed(audit);
                return Task.FromResult(stored);
            }
        }

        // Called under the lock when a write and its record land.
        protected virtual void Landed(ApiTokenAuditRecord? audit)
        {
        }

        // The defective checks wait here until one caller more than the limit has counted, so the
        // race the specification must catch happens on every run, however the thread pool schedules
        // the callers (a loaded machine may otherwise run them one after another). Calls without a
        // limit (a test's set-up) do not wait; the wait is bounded in case fewer callers come.
        private async Task OverlapAsync(int maxActive)
        {
            if (maxActive == int.MaxValue)
            {
                return;
            }

            if (Interlocked.Increment(ref _counted) > maxActive)
            {
                _overlap.TrySetResult();
            }

            await _overlap.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }

        public async Task<ApiToken?> TryUpdateAsync(ApiToken token, int maxActive, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
        {
            int Active() => _tokens.Values.Count(t => t.Id != token.Id && t.AccountId == token.AccountId && t.Type == token.Type && t.OwnerId == token.OwnerId && !t.IsRetired);
            if (!CheckQuota)
            {
                // The defect: a check outside the lock, so racing promotions all pass it.
                var active = Active();
                await OverlapAsync(maxActive);
                return active >= maxActive ? null : await UpdateAsync(token, audit, cancellationToken);
            }

            lock (_lock)
            {
                // Lock is re-entrant: the version check, the count and the update are one step.
                if (!_tokens.TryGetValue(token.Id, out var current) || current.Version != token.Version)
                {
                    throw new ApiTokenConcurrencyException();
                }

                return Active() >= maxActive ? null : UpdateAsync(token, audit, cancellationToken).Result;
            }
        }

        public Task<ApiToken?> FindByIdAsync(string tokenId, CancellationToken cancellationToken)
            => Task.FromResult(_tokens.TryGetValue(tokenId, out var token) ? token : null);

        public Task<ApiToken?> FindBySecretHashAsync(ReadOnlyMemory<byte> secretHash, bool includeRetired, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                return Task.FromResult(_tokens.Values.FirstOrDefault(t => (includeRetired || !t.IsRetired)
                    && (t.SecretHash.AsSpan().SequenceEqual(secretHash.Span)
                        || (FindsPreviousHash && t.PreviousSecretHash is { } previous && previous.AsSpan().SequenceEqual(secretHash.Span)))));
            }
        }

        public Task AppendAuditAsync(ApiTokenAuditRecord record, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                Landed(record);
            }

            return Task.CompletedTask;
        }

        public Task RecordUsesAsync(IReadOnlyList<ApiTokenUse> uses, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                foreach (var use in uses)
                {
                    if (_tokens.TryGetValue(use.TokenId, out var t) && t.FindApp(use.AppName) is { } app)
                    {
                        _tokens[t.Id] = t with
                        {
                            LastUsedAt = t.LastUsedAt > use.UsedAt ? t.LastUsedAt : use.UsedAt,
                            Apps = [.. t.Apps.Select(a => a == app && !(a.LastUsedAt > use.UsedAt) ? a with { LastUsedAt = use.UsedAt } : a)],
                        };
                    }
                }
            }

            return Task.CompletedTask;
        }

        public Task<IReadOnlyList<ApiToken>> ListAsync(string accountId, string? ownerId, ApiTokenListPosition? after, int limit, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                var listed = _tokens.Values
                    .Where(t => t.AccountId == accountId && (ownerId is null || (t.Type == TokenType.User && t.OwnerId == ownerId)))
                    .Where(t => after is not { } position || position.Precedes(t))
                    .Order(Comparer<ApiToken>.Create(ApiTokenListPosition.Compare));
                return Task.FromResult<IReadOnlyList<ApiToken>>([.. (ListsAPage ? listed.Take(limit) : listed)]);
            }
        }

        public Task<ApiTokenAppRecording> RecordAppAsync(string tokenId, TokenApp app, int maxApps, ApiTokenAuditRecord? audit, CancellationToken cancellationToken)
        {
            lock (_lock)
            {
                if (!_tokens.TryGetValue(tokenId, out var current))
                {
                    return Task.FromResult(default(ApiTokenAppRecording));
                }

                if (current.FindApp(app.Name) is not null || current.Apps.Count >= maxApps)
                {
                    // The defect, when switched on: a call that found the app recorded says it recorded it.
                    return Task.FromResult(new ApiTokenAppRecording(current, Recorded: !SaysWhetherItRecorded && current.FindApp(app.Name) is not null));
                }

                var stored = current with { Apps = [.. current.Apps, app], Version = current.Version + 1 };
                _tokens[tokenId] = stored;
                Landed(audit);
                return Task.FromResult(new ApiTokenAppRecording(stored, Recorded: true));
            }
        }
    }
}
