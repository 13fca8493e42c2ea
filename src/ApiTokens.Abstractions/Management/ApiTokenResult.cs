using System.Diagnostics.CodeAnalysis;

namespace ApiTokens.Management;

/// <summary>The outcome of a management operation: a value, or an <see cref="ApiTokenError"/>.</summary>
/// <typeparam name="T">The value on success.</typeparam>
public readonly struct ApiTokenResult<T>
    where T : class
{
    private ApiTokenResult(T? value, ApiTokenError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>Whether the operation succeeded.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null;

    /// <summary>The value when <see cref="Succeeded"/>.</summary>
    public T? Value { get; }

    /// <summary>The error when not <see cref="Succeeded"/>.</summary>
    public ApiTokenError? Error { get; }

    /// <summary>A successful result.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The result.</returns>
    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Factory of the result type itself.")]
    public static ApiTokenResult<T> Success(T value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(value, null);
    }

    /// <summary>A failed result.</summary>
    /// <param name="error">The error.</param>
    /// <returns>The result.</returns>
    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "Factory of the result type itself.")]
    public static ApiTokenResult<T> Failed(ApiTokenError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return new(null, error);
    }

    /// <summary>Converts an error to a failed result.</summary>
    /// <param name="error">The error.</param>
    public static implicit operator ApiTokenResult<T>(ApiTokenError error) => Failed(error);

    /// <inheritdoc />
    public override string ToString() => Succeeded ? "Succeeded" : $"Failed: {Error}";
}
