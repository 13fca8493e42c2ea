using ApiTokens.Validation;

namespace ApiTokens.AspNetCore.Authentication;

// The failure carried by AuthenticateResult.Fail. Never thrown, so one instance per status is shared.
// Its message never holds the secret.
internal sealed class ApiTokenAuthenticationFailure : Exception
{
    private static readonly ApiTokenAuthenticationFailure[] s_instances =
        [.. Enum.GetValues<ApiTokenValidationStatus>().Select(s => new ApiTokenAuthenticationFailure(s))];

    public ApiTokenAuthenticationFailure()
        : this(ApiTokenValidationStatus.BadToken)
    {
    }

    public ApiTokenAuthenticationFailure(string message)
        : base(message)
    {
        Status = ApiTokenValidationStatus.BadToken;
    }

    public ApiTokenAuthenticationFailure(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = ApiTokenValidationStatus.BadToken;
    }

    private ApiTokenAuthenticationFailure(ApiTokenValidationStatus status)
        : base(ApiTokenFailures.For(status).Message)
    {
        Status = status;
    }

    public ApiTokenValidationStatus Status { get; }

    public static ApiTokenAuthenticationFailure For(ApiTokenValidationStatus status) => s_instances[(int)status];
}
