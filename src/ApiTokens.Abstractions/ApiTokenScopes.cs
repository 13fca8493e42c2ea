namespace ApiTokens;

/// <summary>
/// Scopes (R42): names of the form <c>resource:action</c> a token may carry to narrow what its
/// privilege allows, chosen from <see cref="ApiTokenOptions.Scopes"/>; <c>resource:*</c> holds every
/// action of a resource.
/// </summary>
public static class ApiTokenScopes
{
    /// <summary>The most scopes a token may carry.</summary>
    public const int MaxScopes = 64;

    /// <summary>The longest scope name.</summary>
    public const int MaxLength = 128;

    /// <summary>
    /// Whether <paramref name="name"/> is a scope a host may declare: <c>resource:action</c>, each part
    /// one or more of <c>a-z 0-9 _ . -</c>, at most <see cref="MaxLength"/> characters.
    /// </summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when it is well formed.</returns>
    public static bool IsValidName(string? name) => IsWellFormed(name, allowAnyAction: false);

    /// <summary>
    /// Whether a token holding <paramref name="held"/> may call an endpoint that accepts
    /// <paramref name="required"/>: the same name, or <c>resource:*</c> of its resource. No allocation.
    /// </summary>
    /// <param name="held">The token's scopes.</param>
    /// <param name="required">A scope the endpoint accepts.</param>
    /// <returns><see langword="true"/> when one of <paramref name="held"/> grants it.</returns>
    public static bool Grants(IReadOnlyList<string> held, string required)
    {
        ArgumentNullException.ThrowIfNull(held);
        ArgumentNullException.ThrowIfNull(required);
        for (var i = 0; i < held.Count; i++)
        {
            var scope = held[i];
            if (string.Equals(scope, required, StringComparison.Ordinal))
            {
                return true;
            }

            // "annotation:*" grants "annotation:write": the resource with its colon is a prefix.
            if (scope.Length >= 2 && scope[^1] == '*' && scope[^2] == ':'
                && required.Length > scope.Length - 1 && required.AsSpan().StartsWith(scope.AsSpan(0, scope.Length - 1), StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // The scopes a request asks a token to carry, checked against the declared ones and normalized
    // (distinct, in ordinal order); false with the first offending name (null: too many).
    internal static bool TryNormalize(IReadOnlyList<string>? requested, IDictionary<string, string> declared, out string[] scopes, out string? invalid)
    {
        invalid = null;
        if (requested is null || requested.Count == 0)
        {
            scopes = [];
            return true;
        }

        scopes = [];
        if (requested.Count > MaxScopes)
        {
            return false;
        }

        var set = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var scope in requested)
        {
            if (!IsDeclared(scope, declared))
            {
                invalid = scope ?? string.Empty;
                return false;
            }

            set.Add(scope!);
        }

        scopes = [.. set];
        return true;
    }

    // A declared name, or resource:* of a resource some declared name has.
    private static bool IsDeclared(string? scope, IDictionary<string, string> declared)
    {
        if (!IsWellFormed(scope, allowAnyAction: true))
        {
            return false;
        }

        if (!scope!.EndsWith(":*", StringComparison.Ordinal))
        {
            return declared.ContainsKey(scope);
        }

        var resource = scope.AsSpan(0, scope.Length - 1);
        foreach (var name in declared.Keys)
        {
            if (name.AsSpan().StartsWith(resource, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsWellFormed(string? name, bool allowAnyAction)
    {
        if (string.IsNullOrEmpty(name) || name.Length > MaxLength)
        {
            return false;
        }

        var colon = name.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == name.Length - 1)
        {
            return false;
        }

        var action = name.AsSpan(colon + 1);
        return IsPart(name.AsSpan(0, colon)) && (IsPart(action) || (allowAnyAction && action is "*"));
    }

    private static bool IsPart(ReadOnlySpan<char> part)
    {
        foreach (var c in part)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_' or '.' or '-'))
            {
                return false;
            }
        }

        return part.Length > 0;
    }
}
