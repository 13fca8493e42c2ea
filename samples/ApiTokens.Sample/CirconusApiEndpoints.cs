using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using ApiTokens.AspNetCore.Authentication;
using ApiTokens.Membership;
using ApiTokens.Sample.Demo;
using Microsoft.OpenApi;

namespace ApiTokens.Sample;

// A Circonus-shaped API behind the ApiTokens scheme, so real Circonus clients work against the
// sample (docs/sample.md). Reads need ReadOnly and writes Normal (R16, by method); PUT account needs Admin.
internal static class CirconusApiEndpoints
{
    private const int MaxBodyBytes = 64 * 1024;

    public static void MapCirconusApi(this WebApplication app)
    {
        // Real clients differ: the COSI installer drops the /v2 base path, go-apiclient accepts either,
        // so the API answers on both. The API reference describes the /v2 form; the other is an alias.
        MapRoutes(app.MapGroup("/v2").RequireApiToken().WithTags("Circonus-shaped API"), describe: true);
        MapRoutes(app.MapGroup(string.Empty).RequireApiToken().ExcludeFromDescription(), describe: false);
    }

    // R42: reads need the resource's ":read" scope, writes its ":write" (GET /user/current: user:read) —
    // for scoped tokens only; an unscoped token is judged by its privilege, as Circonus clients expect.
    // Every _cid the API returns can be fetched (GET /user/<id>, GET|PUT /account/<id>,
    // GET /annotation/<id>), with the same privilege rules as the /current forms.
    private static void MapRoutes(RouteGroupBuilder api, bool describe)
    {
        Describe(api.MapGet("/user/current", UserCurrent).RequireApiTokenScope("user:read"), describe, "Circonus_GetCurrentUser", "The owner of the user token (404 for an account token).")
            .Produces<CirconusUser>().ProducesProblem(StatusCodes.Status404NotFound);
        Describe(api.MapGet("/user/{id}", UserById).RequireApiTokenScope("user:read"), describe, "Circonus_GetUser", "A member of the token's account.")
            .Produces<CirconusUser>().ProducesProblem(StatusCodes.Status404NotFound);
        Describe(api.MapGet("/account/current", AccountCurrent).RequireApiTokenScope("account:read"), describe, "Circonus_GetCurrentAccount", "The token's account and its members.")
            .Produces<CirconusAccount>();
        Describe(api.MapGet("/account/{id}", AccountById).RequireApiTokenScope("account:read"), describe, "Circonus_GetAccount", "The token's account by its id.")
            .Produces<CirconusAccount>().ProducesProblem(StatusCodes.Status404NotFound);
        Describe(api.MapPut("/account/current", UpdateAccountAsync).RequireApiTokenPrivilege(TokenPrivilege.Admin).RequireApiTokenScope("account:write"), describe, "Circonus_UpdateCurrentAccount", "Changes the account's description.", typeof(CirconusAccountBody))
            .Produces<CirconusAccount>().ProducesProblem(StatusCodes.Status400BadRequest);
        Describe(api.MapPut("/account/{id}", UpdateAccountByIdAsync).RequireApiTokenPrivilege(TokenPrivilege.Admin).RequireApiTokenScope("account:write"), describe, "Circonus_UpdateAccount", "Changes the account's description, by its id.", typeof(CirconusAccountBody))
            .Produces<CirconusAccount>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
        Describe(api.MapGet("/annotation", (ClaimsPrincipal user, AnnotationBoard board) => Results.Ok(board.List(Account(user)).Select(ToJson))).RequireApiTokenScope("annotation:read"), describe, "Circonus_ListAnnotations", "The account's annotations.")
            .Produces<CirconusAnnotation[]>();
        Describe(api.MapPost("/annotation", CreateAnnotationAsync).RequireApiTokenScope("annotation:write"), describe, "Circonus_CreateAnnotation", "Creates an annotation.", typeof(CirconusAnnotationBody))
            .Produces<CirconusAnnotation>().ProducesProblem(StatusCodes.Status400BadRequest);
        Describe(api.MapGet("/annotation/{id:long}", (long id, ClaimsPrincipal user, AnnotationBoard board) =>
            board.Find(Account(user), id) is { } annotation ? Results.Ok(ToJson(annotation)) : NotFound("No such annotation.")).RequireApiTokenScope("annotation:read"), describe, "Circonus_GetAnnotation", "One annotation.")
            .Produces<CirconusAnnotation>().ProducesProblem(StatusCodes.Status404NotFound);
        Describe(api.MapDelete("/annotation/{id:long}", (long id, ClaimsPrincipal user, AnnotationBoard board) =>
            board.Remove(Account(user), id) ? Results.NoContent() : NotFound("No such annotation.")).RequireApiTokenScope("annotation:write"), describe, "Circonus_DeleteAnnotation", "Deletes an annotation.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    // The reference's name and summary; and the JSON body the handler reads itself — whatever the
    // Content-Type, since go-apiclient and the COSI installer send none — described without taking
    // part in binding (Accepts would make routing refuse those clients with 415).
    private static RouteHandlerBuilder Describe(RouteHandlerBuilder endpoint, bool describe, string name, string summary, Type? body = null)
    {
        if (!describe)
        {
            return endpoint;
        }

        endpoint.WithName(name).WithSummary(summary);
        return body is null ? endpoint : endpoint.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var document = context.Document!;
            if (document.Components?.Schemas?.ContainsKey(body.Name) != true)
            {
                document.AddComponent(body.Name, await context.GetOrCreateSchemaAsync(body, null, cancellationToken));
            }

            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = new OpenApiSchemaReference(body.Name, document) },
                },
            };
        });
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

// The Circonus-shaped API's JSON as the API reference describes it (the handlers write the same
// names; SampleOpenApiTests compares them).
internal sealed record CirconusUser([property: JsonPropertyName("_cid")] string Cid, string Email, string Firstname, string Lastname);

internal sealed record CirconusAccountUser(string User, string Role);

internal sealed record CirconusAccount([property: JsonPropertyName("_cid")] string Cid, string Name, string? Description, CirconusAccountUser[] Users);

internal sealed record CirconusAnnotation(
    [property: JsonPropertyName("_cid")] string Cid,
    [property: JsonPropertyName("_created")] long Created,
    [property: JsonPropertyName("_last_modified")] long LastModified,
    [property: JsonPropertyName("_last_modified_by")] string LastModifiedBy,
    string Title,
    string Category,
    string? Description,
    long Start,
    long Stop,
    [property: JsonPropertyName("rel_metrics")] string[] RelMetrics);

/// <summary>The body of <c>POST /v2/annotation</c>.</summary>
/// <param name="Title">1 to 256 characters.</param>
/// <param name="Category">1 to 256 characters.</param>
/// <param name="Description">At most 256 characters.</param>
/// <param name="Start">Epoch seconds (a number, or a string of digits).</param>
/// <param name="Stop">Epoch seconds, not before start.</param>
internal sealed record CirconusAnnotationBody(string Title, string Category, string? Description, long Start, long Stop);

/// <summary>The body of <c>PUT /v2/account/current</c>.</summary>
/// <param name="Description">At most 1024 characters.</param>
internal sealed record CirconusAccountBody(string Description);
