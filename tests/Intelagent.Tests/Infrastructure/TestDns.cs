using System.Collections.Concurrent;
using Intelagent.Server.Security.Sso;

namespace Intelagent.Tests.Infrastructure;

/// <summary>TXT records as the tests publish them (no outside DNS can be reached from here).</summary>
public sealed class TestDns : IDnsTxtLookup
{
    private readonly ConcurrentDictionary<string, ConcurrentBag<string>> _records = new(StringComparer.OrdinalIgnoreCase);

    public void Publish(string name, string value) => _records.GetOrAdd(name, _ => []).Add(value);

    public Task<IReadOnlyList<string>> TxtRecordsAsync(string name, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<string>>(_records.TryGetValue(name, out var values) ? values.ToList() : []);
}
