using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Membership;
using ApiTokens.Sample.Demo;

namespace ApiTokens.Sample;

// A Circonus-shaped API behind the ApiTokens scheme, so real Circonus clients work against the
// sample (docs/sample.md). Reads need ReadOnly and writes Normal (R16, by method); PUT account needs Admin.
internal static class CirconusApiEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static void MapCirconusApi(this WebApplication app)
    {
        // Real clients differ: the COSI installer drops the /v2 base path, go-apiclient accepts either,
        // so the API answers on both.
        MapRoutes(app.MapGroup("/v2").RequireApiToken());
        MapRoutes(app.MapGroup(string.Empty).RequireApiToken());
    }

    // Every _cid the API returns can be fetched (GET /user/<id>, GET|PUT /account/<id>,
    // GET /annotation/<id>), with the same privilege rules as the /current forms.
    private static void MapRoutes(RouteGroupBuilder api)
    {
        api.MapGet("/user/current", UserCurrent);
        api.MapGet("/user/{id}", UserById);
        api.MapGet("/account/current", AccountCurrent);
        api.MapGet("/account/{id}", AccountById);
        api.MapPut("/account/current", UpdateAccountAsync).RequireApiTokenPrivilege(TokenPrivilege.Admin);
        api.MapPut("/account/{id}", UpdateAccountByIdAsync).RequireApiTokenPrivilege(TokenPrivilege.Admin);
        api.MapGet("/annotation", (ClaimsPrincipal user, AnnotationBoard board) => Results.Ok(board.List(Account(user)).Select(ToJson)));
        api.MapPost("/annotation", CreateAnnotationAsync);
        api.MapGet("/annotation/{id:long}", (long id, ClaimsPrincipal user, AnnotationBoard board) =>
            board.Find(Account(user), id) is { } annotation ? Results.Ok(ToJson(annotation)) : NotFound("No such annotation."));
        api.MapDelete("/annotation/{id:long}", (long id, ClaimsPrincipal user, AnnotationBoard board) =>
            board.Remove(Account(user), id) ? Results.NoContent() : NotFound("No such annotation."));
    }

    private static IResult UserCurrent(ClaimsPrincipal user)
    {
        var owner = user.FindFirstValue(ApiTokenClaimTypes.OwnerId);
        return owner is null ? NotFound("An account token has no current user.") : DescribeUser(owner);
    }

    // A member of the token's account; anyone else does not exist for this token.
    private static async Task<IResult> UserById(string id, ClaimsPrincipal user, InMemoryAccountMembership membership, CancellationToken cancellationToken)
        => await membership.GetRoleAsync(Account(user), id, cancellationToken) is null ? NotFound("No such user in this account.") : DescribeUser(id);

    private static IResult DescribeUser(string userId)
    {
        if (!DemoDirectory.Users.TryGetValue(userId, out var person))
        {
            return NotFound("No such user.");
        }

        return Results.Ok(new Dictionary<string, object?>
        {
            ["_cid"] = "/user/" + person.UserId,
            ["email"] = person.Email,
            ["firstname"] = person.FirstName,
            ["lastname"] = person.LastName,
        });
    }

    private static IResult AccountById(string id, ClaimsPrincipal user, InMemoryAccountMembership membership, AnnotationBoard board)
        => IsOwnAccount(id, user) ? AccountCurrent(user, membership, board) : NotFound("No such account.");

    private static async Task<IResult> UpdateAccountByIdAsync(string id, HttpContext context, ClaimsPrincipal user, InMemoryAccountMembership membership, AnnotationBoard board)
        => IsOwnAccount(id, user) ? await UpdateAccountAsync(context, user, membership, board) : NotFound("No such account.");

    private static bool IsOwnAccount(string id, ClaimsPrincipal user) => string.Equals(id, Account(user), StringComparison.Ordinal);

    private static IResult AccountCurrent(ClaimsPrincipal user, InMemoryAccountMembership membership, AnnotationBoard board)
        => Results.Ok(DescribeAccount(Account(user), membership, board));

    private static async Task<IResult> UpdateAccountAsync(HttpContext context, ClaimsPrincipal user, InMemoryAccountMembership membership, AnnotationBoard board)
    {
        var body = await ReadObjectAsync(context);
        if (body is not { } json || !json.TryGetProperty("description", out var description) || description.ValueKind != JsonValueKind.String || description.GetString()!.Length > 1024)
        {
            return BadRequest("Send {\"description\": \"...\"} (at most 1024 characters).");
        }

        board.SetDescription(Account(user), description.GetString()!);
        return Results.Ok(DescribeAccount(Account(user), membership, board));
    }

    private static async Task<IResult> CreateAnnotationAsync(HttpContext context, ClaimsPrincipal user, AnnotationBoard board, TimeProvider time)
    {
        var body = await ReadObjectAsync(context);
        if (body is not { } json
            || !TryString(json, "title", required: true, out var title)
            || !TryString(json, "category", required: true, out var category)
            || !TryString(json, "description", required: false, out var description)
            || !TryEpoch(json, "start", out var start)
            || !TryEpoch(json, "stop", out var stop)
            || stop < start)
        {
            return BadRequest("Send {\"title\", \"category\", \"description\"?, \"start\", \"stop\"}: non-empty strings of at most 256 characters and epoch seconds with stop >= start.");
        }

        var annotation = board.Add(Account(user), user.Identity!.Name!, title!, category!, description, start, stop, time.GetUtcNow().ToUnixTimeSeconds());
        return Results.Ok(ToJson(annotation));
    }

    private static Dictionary<string, object?> DescribeAccount(string accountId, InMemoryAccountMembership membership, AnnotationBoard board) => new()
    {
        ["_cid"] = "/account/" + accountId,
        ["name"] = DemoDirectory.AccountNames.GetValueOrDefault(accountId, accountId),
        ["description"] = board.Description(accountId),
        ["users"] = membership.GetMembers(accountId).Select(m => new Dictionary<string, string> { ["user"] = "/user/" + m.Key, ["role"] = DemoDirectory.CirconusRole(m.Value) }).ToArray(),
    };

    private static Dictionary<string, object?> ToJson(Annotation a) => new()
    {
        ["_cid"] = "/annotation/" + a.Id,
        ["_created"] = a.Created,
        ["_last_modified"] = a.Created,
        ["_last_modified_by"] = "/user/" + a.CreatedBy,
        ["title"] = a.Title,
        ["category"] = a.Category,
        ["description"] = a.Description,
        ["start"] = a.Start,
        ["stop"] = a.Stop,
        ["rel_metrics"] = Array.Empty<string>(),
    };

    private static string Account(ClaimsPrincipal user) => user.FindFirstValue(ApiTokenClaimTypes.AccountId)!;

    private static async Task<JsonElement?> ReadObjectAsync(HttpContext context)
    {
        try
        {
            if (context.Request.ContentLength > MaxBodyBytes)
            {
                return null;
            }

            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = MaxBodyBytes;
            }

            // JSON whatever the Content-Type says: go-apiclient and the COSI installer send none.
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
            if (body.Length > MaxBodyBytes)
            {
                return null;
            }

            var element = JsonSerializer.Deserialize<JsonElement>(body.GetBuffer().AsSpan(0, (int)body.Length));
            return element.ValueKind == JsonValueKind.Object ? element : null;
        }
        catch (Exception ex) when (ex is JsonException or BadHttpRequestException)
        {
            return null;
        }
    }

    private static bool TryString(JsonElement json, string name, bool required, out string? value)
    {
        value = null;
        if (!json.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return !required;
        }

        value = property.ValueKind == JsonValueKind.String ? property.GetString() : null;
        return value is { Length: > 0 and <= 256 } || (!required && value == string.Empty);
    }

    private static bool TryEpoch(JsonElement json, string name, out long value)
    {
        value = 0;
        if (!json.TryGetProperty(name, out var property))
        {
            return false;
        }

        // Circonus clients send numbers; some send them as strings.
        return property.ValueKind switch
        {
            JsonValueKind.Number => property.TryGetInt64(out value) && value >= 0,
            JsonValueKind.String => long.TryParse(property.GetString(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static IResult NotFound(string message) => DemoSignInEndpoints.Problem(StatusCodes.Status404NotFound, "NotFound", message);

    private static IResult BadRequest(string message) => DemoSignInEndpoints.Problem(StatusCodes.Status400BadRequest, "InvalidRequest", message);
}
