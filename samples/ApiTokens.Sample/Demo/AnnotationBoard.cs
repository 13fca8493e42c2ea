using System.Collections.Concurrent;

namespace ApiTokens.Sample.Demo;

// The sample's Circonus-shaped data: annotations and account descriptions, per account, in memory.
internal sealed class AnnotationBoard
{
    private readonly ConcurrentDictionary<(string AccountId, long Id), Annotation> _annotations = new();
    private readonly ConcurrentDictionary<string, string> _descriptions = new(StringComparer.Ordinal);
    private long _nextId;

    public IReadOnlyList<Annotation> List(string accountId)
        => [.. _annotations.Where(a => a.Key.AccountId == accountId).Select(a => a.Value).OrderBy(a => a.Id)];

    public Annotation Add(string accountId, string createdBy, string title, string category, string? description, long start, long stop, long now)
    {
        var annotation = new Annotation(Interlocked.Increment(ref _nextId), title, category, description ?? string.Empty, start, stop, now, createdBy);
        _annotations[(accountId, annotation.Id)] = annotation;
        return annotation;
    }

    public Annotation? Find(string accountId, long id) => _annotations.TryGetValue((accountId, id), out var a) ? a : null;

    public bool Remove(string accountId, long id) => _annotations.TryRemove((accountId, id), out _);

    public string Description(string accountId) => _descriptions.TryGetValue(accountId, out var d) ? d : string.Empty;

    public void SetDescription(string accountId, string description) => _descriptions[accountId] = description;
}

internal sealed record Annotation(long Id, string Title, string Category, string Description, long Start, long Stop, long Created, string CreatedBy);
