using System.Collections.Concurrent;

namespace Intelagent.Server.Documents;

/// <summary>
/// Queues a node's own edits of one document, so they wait their turn instead of racing each other on
/// the revision check and retrying; across nodes the revision check alone keeps the order.
/// </summary>
public sealed class DocumentLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new();

    public async Task<IDisposable> EnterAsync(string documentId, CancellationToken cancellationToken)
    {
        var gate = _locks.GetOrAdd(documentId, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        return new Release(gate);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0) gate.Release();
        }
    }
}
