using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ApiTokens.Management;

namespace ApiTokens.AspNetCore.Tests.Endpoints;

// R29: every management body goes through one reader, so no JSON value — a lone UTF-16 surrogate
// escape, bytes that are not UTF-8, a value of the wrong type — can throw past the validation. Each
// malformed body is a 400 on every write endpoint, and the token is unchanged afterwards.
[TestClass]
[TestCategory("R29")]
public sealed class BodyInputTests
{
    private static readonly string[] s_surrogates = ["\\ud800", "\\udfff", "a\\ud800b", "\\udc00\\ud800"];

    public TestContext TestContext { get; set; } = null!;

    private CancellationToken Ct => TestContext.CancellationToken;

    // Each body, and the endpoints that must refuse it: "*" for all (it is not valid JSON text, or not
    // an object), else those whose body has the field of the wrong type (the others ignore fields
    // that are not theirs). Every endpoint answers below 500 and changes nothing.
    public static IEnumerable<object[]> Bodies()
    {
        foreach (var field in new[] { "type", "privilege", "defaultAppState", "description", "state", "expiresAt", "unknown" })
        {
            foreach (var surrogate in s_surrogates)
            {
                yield return [$"{{\"{field}\":\"{surrogate}\"}}", "*"];
            }
        }

        yield return ["{\"\\ud800\":1}", "*"];
        yield return ["{\"description\":\"ok\",\"nested\":{\"deeper\":[\"\\udc00\"]}}", "*"];
        yield return ["{\"type\":\"", "*"];
        yield return ["null", "*"];
        yield return ["[]", "*"];
        yield return ["\"text\"", "*"];
        yield return ["bytes:7B2274797065223A2261C328227D", "*"];     // {"type":"a\xC3(" — not UTF-8
        yield return ["bytes:7B226465736372697074696F6E223A22FF227D", "*"]; // {"description":"\xFF"}
        yield return ["{\"type\":1}", "create"];
        yield return ["{\"type\":true}", "create"];
        yield return ["{\"privilege\":[]}", "create patch"];
        yield return ["{\"privilege\":2}", "create patch"];
        yield return ["{\"description\":{}}", "create patch"];
        yield return ["{\"state\":null}", "apps"];
        yield return ["{\"state\":7}", "apps"];
        yield return ["{\"gracePeriodSeconds\":\"soon\"}", "rotate"];
        yield return ["{\"gracePeriodSeconds\":1e400}", "rotate"];
        yield return ["{\"expiresAt\":5}", "create rotate"];
        yield return ["{\"lifetimeDays\":\"x\"}", "create"];

        // Numbers are JSON numbers: a number in a string is refused, not read as the number.
        yield return ["{\"lifetimeDays\":\"7\"}", "create"];
        yield return ["{\"gracePeriodSeconds\":\"10\"}", "rotate"];
        yield return ["{\"rateLimit\":{\"limit\":\"100\",\"windowSeconds\":60}}", "create patch"];
        yield return ["{\"rateLimit\":{\"limit\":100,\"windowSeconds\":\"60\"}}", "create patch"];
    }

    [TestMethod]
    [DynamicData(nameof(Bodies))]
    public async Task MalformedBody_400WhereItMatters_Never5xx_AndNothingChanges(string body, string refusedBy)
    {
        await using var host = await ApiHost.StartAsync();
        using var alice = await host.SignInAsync(ApiHost.Alice);
        var created = await alice.PostAsJsonAsync("/api/tokens", new { type = "user" }, Ct);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("id").GetString()!;
        var before = (await host.Store.FindByIdAsync(id, Ct))!;

        foreach (var (name, method, path) in new[]
        {
            ("create", HttpMethod.Post, "/api/tokens"),
            ("patch", HttpMethod.Patch, $"/api/tokens/{id}"),
            ("apps", HttpMethod.Put, $"/api/tokens/{id}/apps/cosi"),
            ("rotate", HttpMethod.Post, $"/api/tokens/{id}/rotate"),
        })
        {
            var refused = refusedBy == "*" || refusedBy.Split(' ').Contains(name);
            using var request = new HttpRequestMessage(method, path) { Content = Content(body) };
            if (!refused)
            {
                // A body this endpoint may accept (the field is not its own) must still change nothing here.
                request.Headers.IfMatch.Add(new System.Net.Http.Headers.EntityTagHeaderValue("\"999\""));
            }

            var response = await alice.SendAsync(request, Ct);

            Assert.IsLessThan(500, (int)response.StatusCode, $"{method} {path} with {body}");
            if (refused)
            {
                Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, $"{method} {path} with {body}");
                await ApiHost.ProblemAsync(response, 400, ApiTokenErrorCodes.InvalidRequest);
            }
        }

        var after = (await host.Store.FindByIdAsync(id, Ct))!;
        Assert.AreEqual(before.Version, after.Version, "nothing changed");
        Assert.HasCount(1, await host.Store.ListAsync("acme", null, null, 10, Ct), "nothing created");
    }

    private static ByteArrayContent Content(string body)
    {
        var bytes = body.StartsWith("bytes:", StringComparison.Ordinal) ? Convert.FromHexString(body[6..]) : Encoding.UTF8.GetBytes(body);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/json");
        return content;
    }
}
