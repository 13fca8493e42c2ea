namespace ApiTokens.Stores;

/// <summary>
/// A token could not be added because its secret hash is already the current or previous secret
/// hash of another token (retired ones included). Nothing was written. Generated secrets never
/// collide; imported ones (R36) and the configured first token can.
/// </summary>
/// <remarks>The message never names the other token: whose secret it is stays unsaid.</remarks>
public sealed class ApiTokenDuplicateSecretException : ApiTokenStoreException
{
    /// <summary>Creates the exception.</summary>
    public ApiTokenDuplicateSecretException()
        : base("Another token already has this secret.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What conflicted.</param>
    public ApiTokenDuplicateSecretException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    /// <param name="message">What conflicted.</param>
    /// <param name="innerException">The underlying error.</param>
    public ApiTokenDuplicateSecretException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
