using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Tests;

namespace ApiTokens.AspNetCore.Tests.Authentication;

[TestClass]
public sealed class WireProtocolTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [TestCategory("R1")]
    public async Task CirconusHeaders_AuthenticateAndCarryClaims()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob, privilege: TokenPrivilege.Normal);

        var response = await host.GetAsync(token.Secret, "Terraform v1.9.2");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var claims = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(TestContext.CancellationToken);
        Assert.AreEqual("bob", claims!["name"]);
        Assert.AreEqual(token.Details.Token.Id, claims[ApiTokenClaimTypes.TokenId]);
        Assert.AreEqual("User", claims[ApiTokenClaimTypes.TokenType]);
        Assert.AreEqual("acme", claims[ApiTokenClaimTypes.AccountId]);
        Assert.AreEqual("bob", claims[ApiTokenClaimTypes.OwnerId]);
        Assert.AreEqual("Normal", claims[ApiTokenClaimTypes.Privilege]);
        Assert.AreEqual("Terraform v1.9.2", claims[ApiTokenClaimTypes.AppName]);
    }

    [TestMethod]
    [TestCategory("R1")]
    public async Task AccountToken_NameIsTokenId_NoOwnerClaim()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Alice, TokenType.Account);

        var claims = await (await host.GetAsync(token.Secret)).Content.ReadFromJsonAsync<Dictionary<string, string>>(TestContext.CancellationToken);

        Assert.AreEqual("token:" + token.Details.Token.Id, claims!["name"]);
        Assert.AreEqual("Account", claims[ApiTokenClaimTypes.TokenType]);
        Assert.IsFalse(claims.ContainsKey(ApiTokenClaimTypes.OwnerId));
    }

    [TestMethod]
    public async Task BasicAuthorization_AppNameAsUserNameTokenAsPassword()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        var response = await host.Client.SendAsync(ApiHost.Basic(HttpMethod.Get, "/read", "cosi.installer v2", token.Secret), TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        var claims = await response.Content.ReadFromJsonAsync<Dictionary<string, string>>(TestContext.CancellationToken);
        Assert.AreEqual("cosi.installer v2", claims![ApiTokenClaimTypes.AppName]);
    }

    [TestMethod]
    public async Task BearerAuthorization_WithAppNameHeader()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        var request = ApiHost.Request(HttpMethod.Get, "/read", null, "go-apiclient");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Secret);

        var response = await host.Client.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task HeaderNames_MatchedCaseInsensitively()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        var request = new HttpRequestMessage(HttpMethod.Get, "/read");
        request.Headers.TryAddWithoutValidation("x-circonus-auth-token", token.Secret);
        request.Headers.TryAddWithoutValidation("X-CIRCONUS-APP-NAME", "python-circonusapi");

        var response = await host.Client.SendAsync(request, TestContext.CancellationToken);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task HeaderNames_Configurable()
    {
        await using var host = await ApiHost.StartAsync(o =>
        {
            o.TokenHeaderName = "X-Api-Key";
            o.AppNameHeaderName = "X-Client";
        });
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        var request = new HttpRequestMessage(HttpMethod.Get, "/read");
        request.Headers.TryAddWithoutValidation("X-Api-Key", token.Secret);
        request.Headers.TryAddWithoutValidation("X-Client", "mine");

        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(request, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await host.GetAsync(token.Secret)).StatusCode);
    }

    [TestMethod]
    public async Task TokenHeader_TakesPrecedenceOverAuthorization()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        var request = ApiHost.Request(HttpMethod.Get, "/read", token.Secret);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "apt_garbage");

        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(request, TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    public async Task NoCredentials_401BadTokenWithChallenge()
    {
        await using var host = await ApiHost.StartAsync();

        var response = await host.Client.SendAsync(ApiHost.Request(HttpMethod.Get, "/read", null, null), TestContext.CancellationToken);

        await ApiHost.ProblemAsync(response, 401, ApiTokenFailureCodes.BadToken);
        Assert.AreEqual("ApiToken", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [TestMethod]
    [DataRow("apt_notatoken")]
    [DataRow("00000000-0000-4000-8000-000000000000")]
    [DataRow("apt_0000000000000000000000000000000000000000000000000")]
    public async Task MalformedOrUnknownToken_401BadToken(string secret)
    {
        await using var host = await ApiHost.StartAsync();

        var response = await host.GetAsync(secret);

        var body = await ApiHost.ProblemAsync(response, 401, ApiTokenFailureCodes.BadToken);
        Assert.DoesNotContain(secret, body.GetRawText());
    }

    [TestMethod]
    public async Task WellFormedUnknownToken_401BadToken_SameBodyAsMalformed()
    {
        await using var host = await ApiHost.StartAsync();
        await using var other = await ApiHost.StartAsync();
        var foreign = await other.CreateTokenAsync(ApiHost.Bob);

        var unknown = await ApiHost.ProblemAsync(await host.GetAsync(foreign.Secret), 401, ApiTokenFailureCodes.BadToken);
        var malformed = await ApiHost.ProblemAsync(await host.GetAsync("apt_x"), 401, ApiTokenFailureCodes.BadToken);

        Assert.AreEqual(malformed.GetProperty("message").GetString(), unknown.GetProperty("message").GetString());
        Assert.AreEqual(malformed.GetProperty("explanation").GetString(), unknown.GetProperty("explanation").GetString());
    }

    [TestMethod]
    public async Task OversizedToken_401BadToken()
    {
        await using var host = await ApiHost.StartAsync();

        await ApiHost.ProblemAsync(await host.GetAsync("apt_" + new string('a', 5000)), 401, ApiTokenFailureCodes.BadToken);
    }

    [TestMethod]
    [TestCategory("R11")]
    public async Task TokenWithoutAppName_401BadApp()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, appName: null), 401, ApiTokenFailureCodes.BadApp);
    }

    [TestMethod]
    [TestCategory("R11")]
    public async Task InvalidAppName_401BadApp_NothingRecorded()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, new string('a', 257)), 401, ApiTokenFailureCodes.BadApp);
        await ApiHost.ProblemAsync(await host.Client.SendAsync(ApiHost.Basic(HttpMethod.Get, "/read", "tab\there", token.Secret), TestContext.CancellationToken), 401, ApiTokenFailureCodes.BadApp);
        await ApiHost.ProblemAsync(await host.Client.SendAsync(ApiHost.Basic(HttpMethod.Get, "/read", string.Empty, token.Secret), TestContext.CancellationToken), 401, ApiTokenFailureCodes.BadApp);

        Assert.IsEmpty((await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.Apps);
    }

    [TestMethod]
    public async Task DefaultAppName_UsedWhenHeaderMissing()
    {
        await using var host = await ApiHost.StartAsync(o => o.DefaultAppName = "unnamed client");
        var token = await host.CreateTokenAsync(ApiHost.Bob);

        var response = await host.GetAsync(token.Secret, appName: null);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.IsNotNull((await host.Store.FindByIdAsync(token.Details.Token.Id, TestContext.CancellationToken))!.FindApp("unnamed client"));
    }

    [TestMethod]
    [DataRow("Basic !!!notbase64")]
    [DataRow("Basic bm9jb2xvbg==")]
    [DataRow("Bearer ")]
    public async Task MalformedAuthorization_401BadToken(string authorization)
    {
        await using var host = await ApiHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/read");
        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Headers.TryAddWithoutValidation("X-Circonus-App-Name", "a");

        await ApiHost.ProblemAsync(await host.Client.SendAsync(request, TestContext.CancellationToken), 401, ApiTokenFailureCodes.BadToken);
    }

    [TestMethod]
    public async Task DuplicateTokenHeaders_401BadToken()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        var request = ApiHost.Request(HttpMethod.Get, "/read", token.Secret);
        request.Headers.TryAddWithoutValidation("X-Circonus-Auth-Token", token.Secret);

        await ApiHost.ProblemAsync(await host.Client.SendAsync(request, TestContext.CancellationToken), 401, ApiTokenFailureCodes.BadToken);
    }

    [TestMethod]
    [TestCategory("R8")]
    public async Task PendingApp_401PendingApp_DeniedApp_403BadApp()
    {
        await using var host = await ApiHost.StartAsync();
        var pending = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Pending);
        var denied = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Deny);

        await ApiHost.ProblemAsync(await host.GetAsync(pending.Secret, "cosi"), 401, ApiTokenFailureCodes.PendingApp);
        await ApiHost.ProblemAsync(await host.GetAsync(denied.Secret, "cosi"), 403, ApiTokenFailureCodes.DeniedApp);

        // Recorded in both cases, so a manager can decide (R8).
        Assert.AreEqual(AppState.Pending, (await host.Store.FindByIdAsync(pending.Details.Token.Id, TestContext.CancellationToken))!.FindApp("cosi")?.State);
        Assert.AreEqual(AppState.Deny, (await host.Store.FindByIdAsync(denied.Details.Token.Id, TestContext.CancellationToken))!.FindApp("cosi")?.State);

        // Judged the same way again from the cache.
        await ApiHost.ProblemAsync(await host.GetAsync(pending.Secret, "cosi"), 401, ApiTokenFailureCodes.PendingApp);
        await ApiHost.ProblemAsync(await host.GetAsync(denied.Secret, "cosi"), 403, ApiTokenFailureCodes.DeniedApp);
    }

    [TestMethod]
    [TestCategory("R12")]
    public async Task AppLimitReached_403TooManyApps_NoWrite()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(core: o => o.MaxAppsPerToken = 2, wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        await host.GetAsync(token.Secret, "one");
        await host.GetAsync(token.Secret, "two");
        store.Reset();

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "three"), 403, ApiTokenFailureCodes.TooManyApps);

        Assert.AreEqual(0, store.Writes);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "one")).StatusCode);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task StoreFails_503WithRetryAfter_NeverOkOr401()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(core: o => o.StoreRetryAfter = TimeSpan.FromSeconds(7), wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        store.FailReads = true;

        var response = await host.GetAsync(token.Secret);

        await ApiHost.ProblemAsync(response, 503, ApiTokenFailureCodes.StoreUnavailable);
        Assert.AreEqual(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [TestMethod]
    [TestCategory("R20")]
    public async Task StoreFailsWhileRecordingNewApp_503()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        Assert.AreEqual(HttpStatusCode.OK, (await host.GetAsync(token.Secret, "known")).StatusCode);
        store.FailWrites = true;

        await ApiHost.ProblemAsync(await host.GetAsync(token.Secret, "brand-new"), 503, ApiTokenFailureCodes.StoreUnavailable);
    }

    [TestMethod]
    public async Task AnonymousEndpoint_UnaffectedByMissingOrBadToken()
    {
        await using var host = await ApiHost.StartAsync();

        var none = await host.Client.GetAsync(new Uri("/anonymous", UriKind.Relative), TestContext.CancellationToken);
        var bad = await host.GetAsync("apt_bad", path: "/anonymous");

        Assert.AreEqual(HttpStatusCode.OK, none.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, bad.StatusCode);
    }

    [TestMethod]
    public async Task CookieScheme_WorksBesideApiTokens()
    {
        await using var host = await ApiHost.StartAsync();
        var token = await host.CreateTokenAsync(ApiHost.Bob);
        var login = await host.Client.PostAsync(new Uri("/cookie-login", UriKind.Relative), null, TestContext.CancellationToken);
        var cookie = login.Headers.GetValues("Set-Cookie").First().Split(';')[0];

        var cookieOnly = new HttpRequestMessage(HttpMethod.Get, "/cookie-only");
        cookieOnly.Headers.Add("Cookie", cookie);
        var cookieOnApiEndpoint = new HttpRequestMessage(HttpMethod.Get, "/read");
        cookieOnApiEndpoint.Headers.Add("Cookie", cookie);
        var tokenOnEither = ApiHost.Request(HttpMethod.Get, "/either", token.Secret);
        var cookieOnEither = new HttpRequestMessage(HttpMethod.Get, "/either");
        cookieOnEither.Headers.Add("Cookie", cookie);

        var cookieOnlyResponse = await host.Client.SendAsync(cookieOnly, TestContext.CancellationToken);
        Assert.AreEqual(HttpStatusCode.OK, cookieOnlyResponse.StatusCode);
        Assert.AreEqual("cookie-user", (await cookieOnlyResponse.Content.ReadFromJsonAsync<Dictionary<string, string>>(TestContext.CancellationToken))!["name"]);
        Assert.AreEqual(HttpStatusCode.Unauthorized, (await host.Client.SendAsync(cookieOnApiEndpoint, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(tokenOnEither, TestContext.CancellationToken)).StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, (await host.Client.SendAsync(cookieOnEither, TestContext.CancellationToken)).StatusCode);
    }

    [TestMethod]
    public async Task ProblemBody_CarriesCirconusFieldsAndRfc9457Fields()
    {
        await using var host = await ApiHost.StartAsync();

        var response = await host.GetAsync("apt_bad");
        var body = await ApiHost.ProblemAsync(response, 401, ApiTokenFailureCodes.BadToken);

        Assert.AreEqual(JsonValueKind.String, body.GetProperty("type").ValueKind);
        Assert.AreEqual(body.GetProperty("message").GetString(), body.GetProperty("title").GetString());
        Assert.AreEqual(body.GetProperty("explanation").GetString(), body.GetProperty("detail").GetString());
    }

    [TestMethod]
    [TestCategory("R43")]
    public async Task InvalidOptions_StopTheStart_NotTheFirstRequest()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => ApiHost.StartAsync(o => o.TokenHeaderName = "Bad Header"));

        Assert.Contains("TokenHeaderName 'Bad Header' is not a valid header name", error.Message);
    }

    [TestMethod]
    [TestCategory("R17")]
    public async Task Logs_OfFailingAndSucceedingRequests_NeverHoldTheSecretOrItsHash()
    {
        var store = new CountingStore();
        await using var host = await ApiHost.StartAsync(wrapStore: s => store.Wrap(s));
        var token = await host.CreateTokenAsync(ApiHost.Bob, defaultAppState: AppState.Pending);
        var hashHex = Convert.ToHexString(token.Details.Token.SecretHash);
        var hashBase64 = Convert.ToBase64String(token.Details.Token.SecretHash);

        await host.GetAsync(token.Secret, "pending-app");
        await host.ManageAsync(m => m.SetAppStateAsync(ApiHost.Bob, token.Details.Token.Id, "pending-app", AppState.Allow));
        await host.GetAsync(token.Secret, "pending-app");
        await host.Client.SendAsync(ApiHost.Basic(HttpMethod.Get, "/read", "basic-app", token.Secret), TestContext.CancellationToken);
        await host.GetAsync(token.Secret, path: "/admin");
        store.FailReads = true;
        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.GetAsync(token.Secret, "pending-app");
        store.FailReads = false;
        await host.ManageAsync(m => m.RetireAsync(ApiHost.Bob, token.Details.Token.Id));
        await host.GetAsync(token.Secret, "pending-app");

        var logs = host.Logs.GetSnapshot();
        Assert.IsGreaterThan(5, logs.Count);
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes("basic-app:" + token.Secret));
        foreach (var record in logs)
        {
            var text = record.Message + " " + record.Exception + " " + string.Join(",", record.StructuredState?.Select(kv => kv.Value) ?? []);
            Assert.DoesNotContain(token.Secret[4..^6], text);
            Assert.DoesNotContain(hashHex, text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(hashBase64, text);
            Assert.DoesNotContain(basic, text);
        }
    }
}
