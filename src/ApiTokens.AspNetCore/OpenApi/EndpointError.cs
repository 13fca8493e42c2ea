using ApiTokens.AspNetCore.Endpoints;
using ApiTokens.Management;

namespace ApiTokens.AspNetCore.OpenApi;

// An error an endpoint can answer: its status and stable code, declared once beside the endpoint and
// read by its OpenAPI description (ManagementOperation). A management error's status follows from
// its code's kind exactly as ManagementProblems answers it at run time.
internal readonly record struct EndpointError(int Status, string Code)
{
    public static EndpointError Management(string code) => new(ManagementProblems.StatusFor(ApiTokenErrorCodes.KindOf(code)), code);
}
