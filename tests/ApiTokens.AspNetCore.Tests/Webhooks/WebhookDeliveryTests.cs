using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ApiTokens.Webhooks;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace ApiTokens.AspNetCore.Tests.Webhooks;

// R37 through the front door: endpoints registered over HTTP, changes made over HTTP, and a real
// receiver on Kestrel that verifies each delivery with the Standard Webhooks library. The sender runs
// as it does in production (a hosted service); retries wait on the FakeTimeProvider.
[TestClass]
public sealed class WebhookDeliveryTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R37")]
    public async Task TokenCreated_IsDeliveredOnce_SignedInTheStandardWebhooksFormat_WithoutASecret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var webhook = await RegisterAsync(alice, receiver);

        var token = await CreateTokenAsync(alice, "deploys");
        var received = await receiver.NextAsync();

        CollectionAssert.AreEqual(new[] { 0 }, received.VerifiedBy.ToArray(), "verified by the Standard Webhooks library with the secret shown at registration");
        Assert.AreEqual("application/json", received.ContentType?.Split(';')[0]);
        Assert.AreEqual(host.Time.GetUtcNow().ToUnixTimeSeconds(), received.Timestamp);
        using var body = JsonDocument.Parse(received.Body);
        Assert.AreEqual("token.created", body.RootElement.GetProperty("type").GetString());
        Assert.IsTrue(body.RootElement.TryGetProperty("timestamp", out _));
        var data = body.RootElement.GetProperty("data");
        Assert.AreEqual(token.GetProperty("id").GetString(), data.GetProperty("token").GetProperty("id").GetString());
        Assert.AreEqual("deploys", data.GetProperty("token").GetProperty("description").GetString());
        Assert.AreEqual("alice", data.GetProperty("actor").GetString());
        Assert.DoesNotContain(token.GetProperty("secret").GetString()!, received.Body, "a payload never holds a secret");
        Assert.IsFalse(data.GetProperty("token").TryGetProperty("secret", out _));

        var delivery = await DeliveredAsync(alice, webhook, received.Id);
        Assert.AreEqual("token.created", delivery.GetProperty("type").GetString());
        Assert.AreEqual(1, delivery.GetProperty("attempts").GetInt32());
        Assert.AreEqual(204, delivery.GetProperty("lastStatusCode").GetInt32());
        Assert.IsFalse(receiver.TryNext(out _), "delivered once");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AReceiverThatFailsTwice_GetsTheSameWebhookIdOnTheRetrySchedule_ThenItIsDelivered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (n, _) => Task.FromResult(n <= 2 ? 500 : 200);
        await using var host = await StartAsync(o => o.RetrySchedule = [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30)]);
        var alice = await host.SignInAsync(ApiHost.Alice);
        var webhook = await RegisterAsync(alice, receiver);

        await CreateTokenAsync(alice);
        var first = await receiver.NextAsync();
        var attempted = await AttemptedAsync(alice, webhook, first.Id, 1);
        Assert.IsFalse(await NothingBeforeNextAttemptAsync(host, receiver, attempted), "nothing before the first wait of the schedule");
        var second = await NextAfterAsync(host, receiver, TimeSpan.FromSeconds(1));
        attempted = await AttemptedAsync(alice, webhook, first.Id, 2);
        Assert.IsFalse(await NothingBeforeNextAttemptAsync(host, receiver, attempted), "nothing before the second wait");
        var third = await NextAfterAsync(host, receiver, TimeSpan.FromSeconds(1));

        Assert.AreEqual(first.Id, second.Id, "the same webhook-id on every attempt of a delivery");
        Assert.AreEqual(first.Id, third.Id);
        Assert.AreEqual(first.Body, third.Body);
        Assert.IsTrue(second.Timestamp - first.Timestamp >= 5);
        Assert.IsTrue(third.Timestamp - second.Timestamp >= 30);
        Assert.IsTrue(new[] { first, second, third }.All(r => r.VerifiedBy.Count == 1), "every attempt signed anew (its own timestamp)");
        var delivery = await DeliveredAsync(alice, webhook, first.Id);
        Assert.AreEqual(3, delivery.GetProperty("attempts").GetInt32());
        Assert.AreEqual(200, delivery.GetProperty("lastStatusCode").GetInt32());
        // The sender records the outcome on the delivery, then on the endpoint: wait (really) for the endpoint.
        await EndpointUntilAsync(alice, webhook, e => e.GetProperty("failingSince").ValueKind == JsonValueKind.Null, "a success ends the failing streak");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AfterTheLastRetry_TheDeliveryFails_AndAnEndpointFailingForDisableAfter_IsDisabledWithAnAuditRecord()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Respond = (_, _) => Task.FromResult(503);
        await using var host = await StartAsync(o =>
        {
            o.RetrySchedule = [TimeSpan.FromSeconds(5)];
            o.DisableAfter = TimeSpan.FromMinutes(10);
        });
        var alice = await host.SignInAsync(ApiHost.Alice);
        var webhook = await RegisterAsync(alice, receiver);

        await CreateTokenAsync(alice);
        var first = await receiver.NextAsync();
        await AttemptedAsync(alice, webhook, first.Id, 1);
        await NextAfterAsync(host, receiver, TimeSpan.FromSeconds(5));
        var failed = await StatusAsync(alice, webhook, first.Id, "failed");
        Assert.AreEqual(2, failed.GetProperty("attempts").GetInt32());
        Assert.AreEqual(503, failed.GetProperty("lastStatusCode").GetInt32());
        Assert.AreEqual(JsonValueKind.Null, failed.GetProperty("nextAttemptAt").ValueKind);
        var failing = await alice.GetFromJsonAsync<JsonElement>("/api/webhooks/" + webhook, TestContext.CancellationToken);
        Assert.IsTrue(failing.GetProperty("enabled").GetBoolean(), "not yet: failing for less than DisableAfter");

        host.Time.Advance(TimeSpan.FromMinutes(10));
        await CreateTokenAsync(alice);
        var late = await receiver.NextAsync();
        await AttemptedAsync(alice, webhook, late.Id, 1);

        // The sender disables the endpoint, then appends the audit record: wait (really) for the record.
        await AuditedAsync(alice, webhook, "webhook.disabled");
        var disabled = await alice.GetFromJsonAsync<JsonElement>("/api/webhooks/" + webhook, TestContext.CancellationToken);
        Assert.IsFalse(disabled.GetProperty("enabled").GetBoolean());
        Assert.IsFalse(string.IsNullOrEmpty(disabled.GetProperty("disabledReason").GetString()));

        await CreateTokenAsync(alice);
        Assert.IsFalse(await NothingUntilAsync(host, receiver, TimeSpan.FromMinutes(1)), "a disabled endpoint receives nothing");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AfterARotation_BothSecretsSignFor24Hours_ThenOnlyTheNewOne()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var webhook = await RegisterAsync(alice, receiver);

        var rotated = await alice.PostAsync($"/api/webhooks/{webhook}/rotate-secret", null, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, rotated.StatusCode);
        var body = await rotated.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        var secret = body.GetProperty("secret").GetString()!;
        Assert.AreNotEqual(receiver.Secrets[0], secret);
        Assert.AreEqual(host.Time.GetUtcNow().AddHours(24), body.GetProperty("previousSecretExpiresAt").GetDateTimeOffset());
        receiver.Secrets.Add(secret);
        await CreateTokenAsync(alice);
        var during = await receiver.NextAsync();

        host.Time.Advance(TimeSpan.FromHours(24));
        await CreateTokenAsync(alice);
        var after = await receiver.NextAsync();

        // The new secret signs first: the StandardWebhooks package (1.1.2) checks only a header's first
        // signature, so a receiver that already has the new secret verifies with it; the old one's
        // signature follows for receivers not yet switched (the reference libraries check them all).
        CollectionAssert.AreEqual(new[] { Sign(secret, during), Sign(receiver.Secrets[0], during) }, during.Signature.Split(' '), "within 24 h both secrets sign, the new one first");
        CollectionAssert.Contains(during.VerifiedBy.ToArray(), 1, "the package verifies it with the new secret");
        Assert.HasCount(1, after.Signature.Split(' '), "after 24 h only the new secret signs");
        Assert.AreEqual(Sign(secret, after), after.Signature);
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AReceiverSlowerThanTheTimeout_IsAFailedAttempt_RetriedLater()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var release = new TaskCompletionSource();
        receiver.Respond = async (n, _) =>
        {
            if (n == 1)
            {
                await release.Task;
            }

            return 204;
        };
        await using var host = await StartAsync(o =>
        {
            o.Timeout = TimeSpan.FromSeconds(10);
            o.RetrySchedule = [TimeSpan.FromSeconds(5)];
        });
        var alice = await host.SignInAsync(ApiHost.Alice);
        var webhook = await RegisterAsync(alice, receiver);

        await CreateTokenAsync(alice);
        while (receiver.Count == 0)
        {
            await Task.Delay(10, TestContext.CancellationToken);
        }

        host.Time.Advance(TimeSpan.FromSeconds(10));
        var attempt = await AttemptedAsync(alice, webhook, null, 1);
        release.SetResult();
        var first = await receiver.NextAsync();
        var second = await NextAfterAsync(host, receiver, TimeSpan.FromSeconds(5));

        Assert.AreEqual("pending", attempt.GetProperty("status").GetString());
        Assert.AreEqual(JsonValueKind.Null, attempt.GetProperty("lastStatusCode").ValueKind, "no answer within the timeout");
        Assert.AreEqual(first.Id, second.Id);
        await DeliveredAsync(alice, webhook, first.Id);
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task ARedirect_IsNotFollowed()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var webhook = await RegisterAsync(alice, receiver, receiver.Url.Replace("/hook", "/redirect", StringComparison.Ordinal));

        await CreateTokenAsync(alice);
        var attempt = await AttemptedAsync(alice, webhook, null, 1);

        Assert.AreEqual(307, attempt.GetProperty("lastStatusCode").GetInt32(), "the redirect is the answer");
        Assert.AreEqual("pending", attempt.GetProperty("status").GetString());
        Assert.AreEqual(0, receiver.Count, "the target of the redirect was never called");
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task AnEndpointThatResolvesIntoThePrivateNetworkAtSendTime_GetsNothing()
    {
        // A name that resolved to a public address when registered and to loopback now (DNS
        // rebinding): the endpoint is written to the store as registration would have, and each send
        // checks the addresses again.
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync(o => o.AllowPrivateNetworks = false);
        var alice = await host.SignInAsync(ApiHost.Alice);
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(ApiTokenWebhookManager.SecretProtectionPurpose);
        var url = receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal);
        var webhook = await host.Store.CreateWebhookAsync(
            new ApiTokenWebhook
            {
                Id = "rebound",
                AccountId = "acme",
                Url = url,
                ProtectedSecret = protector.Protect("whsec_" + Convert.ToBase64String(new byte[32])),
                CreatedBy = "alice",
                CreatedAt = host.Time.GetUtcNow(),
            },
            TestContext.CancellationToken);

        await CreateTokenAsync(alice);
        var attempt = await AttemptedAsync(alice, webhook.Id, null, 1);

        Assert.AreEqual(JsonValueKind.Null, attempt.GetProperty("lastStatusCode").ValueKind);
        Assert.AreEqual(0, receiver.Count, "no connection was made");
        Assert.IsTrue(host.Logs.GetSnapshot().Any(r => r.Id.Id == 112), "the refusal is logged");
        Assert.IsFalse(host.Logs.GetSnapshot().Any(r => r.Message.Contains("whsec_", StringComparison.Ordinal)));
    }

    [TestMethod]
    [TestCategory("R37")]
    public async Task ASecretThisNodeCannotUnprotect_SendsNothing_AndTheSenderKeepsSending()
    {
        // Written by a node with other Data Protection keys (a key ring not shared): unreadable here.
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await StartAsync();
        var alice = await host.SignInAsync(ApiHost.Alice);
        var foreign = await host.Store.CreateWebhookAsync(
            new ApiTokenWebhook
            {
                Id = "foreign-keys",
                AccountId = "acme",
                Url = receiver.Url,
                ProtectedSecret = "CfDJ8not-a-payload-these-keys-protected",
                CreatedBy = "alice",
                CreatedAt = host.Time.GetUtcNow(),
            },
            TestContext.CancellationToken);
        await RegisterAsync(alice, receiver);

        await CreateTokenAsync(alice);
        var attempt = await AttemptedAsync(alice, foreign.Id, null, 1);
        var received = await receiver.NextAsync();

        Assert.AreEqual(JsonValueKind.Null, attempt.GetProperty("lastStatusCode").ValueKind, "nothing was sent unsigned");
        Assert.HasCount(1, received.VerifiedBy, "the readable endpoint got its delivery");
        Assert.IsFalse(receiver.TryNext(out _));
        Assert.IsTrue(host.Logs.GetSnapshot().Any(r => r.Id.Id == 114));
        await CreateTokenAsync(alice);
        Assert.HasCount(1, (await receiver.NextAsync()).VerifiedBy, "the sender survived and keeps sending");
    }

    internal static Task<ApiHost> StartAsync(Action<ApiTokenWebhookOptions>? configure = null, bool coreOnlyStore = false)
        => ApiHost.StartAsync(
            coreOnlyStore: coreOnlyStore,
            start: DateTimeOffset.UtcNow,
            services: s => s.Configure<ApiTokenWebhookOptions>(o =>
            {
                o.AllowPrivateNetworks = true;
                configure?.Invoke(o);
            }));

    internal async Task<JsonElement> CreateTokenAsync(HttpClient member, string description = "ci")
    {
        var response = await member.PostAsJsonAsync("/api/tokens", new { type = "user", description }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        return await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
    }

    // Registers the receiver for the account over HTTP and gives it the secret; returns the endpoint's id.
    internal async Task<string> RegisterAsync(HttpClient admin, WebhookReceiver receiver, string? url = null, string[]? events = null)
    {
        var response = await admin.PostAsJsonAsync("/api/webhooks", new { url = url ?? receiver.Url, events, description = "test receiver" }, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.Created, response.StatusCode, await response.Content.ReadAsStringAsync(TestContext.CancellationToken));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>(TestContext.CancellationToken);
        receiver.Secrets.Add(body.GetProperty("secret").GetString()!);
        return body.GetProperty("id").GetString()!;
    }

    // Moves the fake clock by the wait, a second at a time, until the receiver gets the next request.
    private async Task<WebhookReceiver.Received> NextAfterAsync(ApiHost host, WebhookReceiver receiver, TimeSpan wait)
    {
        host.Time.Advance(wait);
        for (var i = 0; i < 300; i++)
        {
            if (receiver.TryNext(out var received))
            {
                return received;
            }

            // The sender may still be writing the last outcome when the clock moved: its next poll then
            // waits for a later time, which a further second reaches.
            try
            {
                return await receiver.NextAsync(TimeSpan.FromMilliseconds(100));
            }
            catch (AssertFailedException)
            {
                host.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        throw new AssertFailedException("The receiver got no further delivery.");
    }

    // Moves the fake clock to just before a due time, polling on the way; true if a request came.
    // Nothing arrives until a second before the delivery's next attempt as the sender wrote it (the
    // clock may have moved on while the test waited for the last attempt; the spacing itself is checked
    // on the attempts' own timestamps).
    private static Task<bool> NothingBeforeNextAttemptAsync(ApiHost host, WebhookReceiver receiver, JsonElement delivery)
        => NothingUntilAsync(host, receiver, delivery.GetProperty("nextAttemptAt").GetDateTimeOffset() - host.Time.GetUtcNow() - TimeSpan.FromSeconds(1));

    private static async Task<bool> NothingUntilAsync(ApiHost host, WebhookReceiver receiver, TimeSpan until)
    {
        for (var moved = TimeSpan.Zero; moved < until; moved += TimeSpan.FromSeconds(1))
        {
            host.Time.Advance(moved + TimeSpan.FromSeconds(1) <= until ? TimeSpan.FromSeconds(1) : until - moved);
            await Task.Delay(20);
            if (receiver.TryNext(out _))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<JsonElement> DeliveredAsync(HttpClient admin, string webhook, string deliveryId)
        => await StatusAsync(admin, webhook, deliveryId, "delivered");

    private async Task<JsonElement> StatusAsync(HttpClient admin, string webhook, string deliveryId, string status)
        => await UntilAsync(admin, webhook, d => d.GetProperty("id").GetString() == deliveryId && d.GetProperty("status").GetString() == status);

    // Waits until the delivery (or the only one) has had n attempts written.
    private async Task<JsonElement> AttemptedAsync(HttpClient admin, string webhook, string? deliveryId, int attempts)
        => await UntilAsync(admin, webhook, d => (deliveryId is null || d.GetProperty("id").GetString() == deliveryId) && d.GetProperty("attempts").GetInt32() == attempts);

    private async Task EndpointUntilAsync(HttpClient admin, string webhook, Func<JsonElement, bool> condition, string expected)
    {
        var last = "";
        for (var i = 0; i < 1000; i++)
        {
            var endpoint = await admin.GetFromJsonAsync<JsonElement>("/api/webhooks/" + webhook, TestContext.CancellationToken);
            last = endpoint.ToString();
            if (condition(endpoint))
            {
                return;
            }

            await Task.Delay(10, TestContext.CancellationToken);
        }

        throw new AssertFailedException($"{expected}, never seen: " + last);
    }

    // The account's trail holds `action` for the endpoint: waited for (really), as the sender's outcomes are.
    private async Task AuditedAsync(HttpClient admin, string webhook, string action)
    {
        var last = "";
        for (var i = 0; i < 1000; i++)
        {
            var events = await admin.GetFromJsonAsync<JsonElement>("/api/tokens/events", TestContext.CancellationToken);
            last = events.ToString();
            if (events.EnumerateArray().Any(e => e.GetProperty("action").GetString() == action && e.GetProperty("tokenId").GetString() == webhook))
            {
                return;
            }

            await Task.Delay(10, TestContext.CancellationToken);
        }

        throw new AssertFailedException($"No {action} record for the endpoint: " + last);
    }

    // The sender writes each outcome after the receiver answered: wait (really) for it to land.
    private async Task<JsonElement> UntilAsync(HttpClient admin, string webhook, Func<JsonElement, bool> condition)
    {
        var last = "";
        for (var i = 0; i < 1000; i++)
        {
            var deliveries = await admin.GetFromJsonAsync<JsonElement>($"/api/webhooks/{webhook}/deliveries", TestContext.CancellationToken);
            last = deliveries.ToString();
            foreach (var delivery in deliveries.EnumerateArray())
            {
                if (condition(delivery))
                {
                    return delivery;
                }
            }

            await Task.Delay(10, TestContext.CancellationToken);
        }

        throw new AssertFailedException("The delivery never reached the expected state: " + last);
    }

    // The signature the Standard Webhooks scheme gives a request with one secret.
    private static string Sign(string secret, WebhookReceiver.Received received)
    {
        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var mac = System.Security.Cryptography.HMACSHA256.HashData(key, System.Text.Encoding.UTF8.GetBytes($"{received.Id}.{received.Timestamp}.{received.Body}"));
        return "v1," + Convert.ToBase64String(mac);
    }
}
