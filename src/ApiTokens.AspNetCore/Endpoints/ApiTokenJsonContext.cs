using System.Text.Json;
using System.Text.Json.Serialization;

namespace ApiTokens.AspNetCore.Endpoints;

// The management API's JSON, independent of the host's JSON options: camelCase names, enums as
// camelCase strings (read case-insensitively; numbers refused), numbers as JSON numbers only (the web
// defaults would read "100" as 100; R29 and the docs say a number), nulls written. Source-generated
// so the package stays trimming- and AOT-safe.
[JsonSourceGenerationOptions(
    JsonSerializerDefaults.Web,
    NumberHandling = JsonNumberHandling.Strict,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    Converters = [typeof(CamelCaseEnumConverter<TokenType>), typeof(CamelCaseEnumConverter<TokenPrivilege>), typeof(CamelCaseEnumConverter<AppState>)])]
[JsonSerializable(typeof(ApiTokenResponse))]
[JsonSerializable(typeof(ApiTokenResponse[]))]
[JsonSerializable(typeof(CreateApiTokenBody))]
[JsonSerializable(typeof(ImportApiTokenBody))]
[JsonSerializable(typeof(SelfRotateApiTokenBody))]
[JsonSerializable(typeof(RevokeApiTokensBody))]
[JsonSerializable(typeof(RevokeApiTokensResponse))]
[JsonSerializable(typeof(UpdateApiTokenBody))]
[JsonSerializable(typeof(SetAppStateBody))]
[JsonSerializable(typeof(RotateApiTokenBody))]
[JsonSerializable(typeof(ApiTokenEventResponse[]))]
[JsonSerializable(typeof(ApiTokenUsageResponse[]))]
[JsonSerializable(typeof(Webhooks.CreateWebhookBody))]
[JsonSerializable(typeof(Webhooks.UpdateWebhookBody))]
[JsonSerializable(typeof(Webhooks.WebhookResponse))]
[JsonSerializable(typeof(Webhooks.WebhookResponse[]))]
[JsonSerializable(typeof(Webhooks.WebhookDeliveryResponse))]
[JsonSerializable(typeof(Webhooks.WebhookDeliveryResponse[]))]
internal sealed partial class ApiTokenJsonContext : JsonSerializerContext
{
}

// Also named on each enum property of the DTOs, so hosts that describe them (OpenAPI, their own
// serializers) see the wire format: camelCase strings.
internal sealed class CamelCaseEnumConverter<TEnum> : JsonStringEnumConverter<TEnum>
    where TEnum : struct, Enum
{
    public CamelCaseEnumConverter()
        : base(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    {
    }
}
