namespace ApiTokens;

/// <summary>Whether an application may use a token (R7–R10).</summary>
public enum AppState
{
    /// <summary>Requests from the application are authenticated.</summary>
    Allow = 0,

    /// <summary>Requests from the application wait for a decision and fail with 401.</summary>
    Pending = 1,

    /// <summary>Requests from the application are refused with 403.</summary>
    Deny = 2,
}
