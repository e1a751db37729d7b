using System.Collections.Concurrent;

namespace Intelagent.Server.Usage;

/// <summary>One organization's counts in one UTC minute, as drained for a flush.</summary>
public readonly record struct MinuteCounts(string OrganizationId, DateTimeOffset Minute, long Calls, long Refused, long BandwidthBytes);

/// <summary>
/// Counts per organization and minute in memory (the hot path never writes the database). A Redis
/// implementation can slot in for counters shared across nodes.
/// </summary>
public interface IUsageCounters
{
    void Record(string organizationId, DateTimeOffset now, long calls, long refused, long bandwidthBytes);

    /// <summary>Takes every count recorded so far; each count is handed out exactly once.</summary>
    IReadOnlyList<MinuteCounts> Drain();

    /// <summary>Puts back counts a failed flush could not write, so they go with the next one.</summary>
    void Restore(IEnumerable<MinuteCounts> counts);

    /// <summary>What is recorded but not flushed yet for an organization since <paramref name="since"/>.</summary>
    (long Calls, long Refused, long BandwidthBytes) Pending(string organizationId, DateTimeOffset since);
}

/// <summary>
/// Lock-free counting: writers add with Interlocked to a cell; a flush removes the cell, seals it,
/// waits for writers already inside to finish, then reads it. A writer that finds its cell sealed
/// retries on a fresh one, so no count is lost or counted twice.
/// </summary>
public sealed class InMemoryUsageCounters : IUsageCounters
{
    private sealed class Cell
    {
        public long Calls;
        public long Refused;
        public long Bytes;
        public int Writers;
        public int Sealed;
    }

    private readonly ConcurrentDictionary<(string OrganizationId, DateTimeOffset Minute), Cell> _cells = new();

    public void Record(string organizationId, DateTimeOffset now, long calls, long refused, long bandwidthBytes)
    {
        var key = (organizationId, MinuteOf(now));
        while (true)
        {
            var cell = _cells.GetOrAdd(key, _ => new Cell());
            Interlocked.Increment(ref cell.Writers);
            if (Volatile.Read(ref cell.Sealed) == 1)
            {
                Interlocked.Decrement(ref cell.Writers);
                continue;
            }
            if (calls != 0) Interlocked.Add(ref cell.Calls, calls);
            if (refused != 0) Interlocked.Add(ref cell.Refused, refused);
            if (bandwidthBytes != 0) Interlocked.Add(ref cell.Bytes, bandwidthBytes);
            Interlocked.Decrement(ref cell.Writers);
            return;
        }
    }

    public IReadOnlyList<MinuteCounts> Drain()
    {
        var drained = new List<MinuteCounts>();
        foreach (var key in _cells.Keys)
        {
            if (!_cells.TryRemove(key, out var cell)) continue;
            Interlocked.Exchange(ref cell.Sealed, 1);
            var spinner = new SpinWait();
            while (Volatile.Read(ref cell.Writers) != 0) spinner.SpinOnce();
            if (cell.Calls != 0 || cell.Refused != 0 || cell.Bytes != 0)
                drained.Add(new MinuteCounts(key.OrganizationId, key.Minute, cell.Calls, cell.Refused, cell.Bytes));
        }
        return drained;
    }

    public void Restore(IEnumerable<MinuteCounts> counts)
    {
        foreach (var c in counts) Record(c.OrganizationId, c.Minute, c.Calls, c.Refused, c.BandwidthBytes);
    }

    public (long Calls, long Refused, long BandwidthBytes) Pending(string organizationId, DateTimeOffset since)
    {
        long calls = 0, refused = 0, bytes = 0;
        foreach (var (key, cell) in _cells)
        {
            if (key.OrganizationId != organizationId || key.Minute < MinuteOf(since)) continue;
            calls += Volatile.Read(ref cell.Calls);
            refused += Volatile.Read(ref cell.Refused);
            bytes += Volatile.Read(ref cell.Bytes);
        }
        return (calls, refused, bytes);
    }

    public static DateTimeOffset MinuteOf(DateTimeOffset now) =>
        new(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerMinute, TimeSpan.Zero);
}
