namespace ApiTokens.Stores;

/// <summary>The token store could not complete an operation (for example, the database is unreachable).</summary>
public class ApiTokenStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ApiTokenStoreException()
        : this("The API token store failed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What failed. Never include a secret or its hash.</param>
    public ApiTokenStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the underlying error.</summary>
    /// <param name="message">What failed. Never include a secret or its hash.</param>
    /// <param name="innerException">The underlying error.</param>
    public ApiTokenStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
