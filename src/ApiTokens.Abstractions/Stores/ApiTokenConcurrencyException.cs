namespace ApiTokens.Stores;

/// <summary>
/// A write lost an optimistic-concurrency race: the token changed (or disappeared) after it was
/// read. Nothing was written (R19).
/// </summary>
public sealed class ApiTokenConcurrencyException : ApiTokenStoreException
{
    /// <summary>Creates the exception.</summary>
    public ApiTokenConcurrencyException()
        : base("The API token was changed by another operation.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What conflicted.</param>
    public ApiTokenConcurrencyException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    /// <param name="message">What conflicted.</param>
    /// <param name="innerException">The underlying error.</param>
    public ApiTokenConcurrencyException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
