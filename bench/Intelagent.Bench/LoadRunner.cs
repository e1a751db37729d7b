using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Intelagent.Bench;

/// <summary>What one measured phase against one endpoint produced.</summary>
public sealed record PhaseResult(
    string Path,
    int Requests,
    int Errors,
    double ElapsedSeconds,
    double RequestsPerSecond,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double MeanMs,
    double MaxMs,
    string StoppedBy,
    CpuUse? Cpu,
    IReadOnlyDictionary<string, int> Outcomes);

/// <summary>Counts of responses by status code, and of requests that failed without one.</summary>
public sealed class Tally
{
    public int Requests { get; private set; }
    public int Errors { get; private set; }
    public SortedDictionary<string, int> Outcomes { get; } = new(StringComparer.Ordinal);

    public void Add(int statusCode)
    {
        Requests++;
        if (statusCode is < 200 or > 299) Errors++;
        Count(statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void Add(Exception exception)
    {
        Requests++;
        Errors++;
        var inner = exception.InnerException is { } e ? $" ({e.GetType().Name})" : "";
        Count($"exception {exception.GetType().Name}{inner}");
    }

    public void Merge(Tally other)
    {
        Requests += other.Requests;
        Errors += other.Errors;
        foreach (var (key, count) in other.Outcomes) Count(key, count);
    }

    private void Count(string key, int count = 1) => Outcomes[key] = Outcomes.GetValueOrDefault(key) + count;
}

/// <summary>
/// Closed-loop load: each of N workers sends a request, waits for the whole response body, and
/// sends the next, until the time bound or the shared request bound is reached, whichever is first.
/// </summary>
public static class LoadRunner
{
    /// <summary>Unmeasured traffic: JIT, connection pool, caches. Returns its tally so errors are not lost.</summary>
    public static async Task<Tally> WarmUpAsync(HttpClient client, string path, int concurrency, TimeSpan duration)
    {
        var (tally, _, _) = await RunAsync(client, path, concurrency, duration, int.MaxValue, latencies: null);
        return tally;
    }

    public static async Task<PhaseResult> MeasureAsync(HttpClient client, string path, int concurrency, TimeSpan duration, int maxRequests, CpuMeter meter)
    {
        var latencies = new long[maxRequests];
        var before = meter.Take();
        var (tally, elapsedTicks, hitRequestBound) = await RunAsync(client, path, concurrency, duration, maxRequests, latencies);
        var cpu = CpuMeter.Between(before, meter.Take(), tally.Requests);

        // Every slot below the request count was taken by exactly one worker, which always records it.
        var samples = latencies.AsSpan(0, tally.Requests);
        samples.Sort();
        var elapsed = elapsedTicks / (double)Stopwatch.Frequency;
        double total = 0;
        foreach (var ticks in samples) total += ticks;
        return new PhaseResult(
            path,
            tally.Requests,
            tally.Errors,
            elapsed,
            tally.Requests / elapsed,
            Milliseconds(Percentile(samples, 50)),
            Milliseconds(Percentile(samples, 90)),
            Milliseconds(Percentile(samples, 99)),
            samples.Length == 0 ? 0 : Milliseconds(total / samples.Length),
            samples.Length == 0 ? 0 : Milliseconds(samples[^1]),
            hitRequestBound ? "max-requests" : "seconds",
            cpu,
            tally.Outcomes);
    }

    private static async Task<(Tally Tally, long ElapsedTicks, bool HitRequestBound)> RunAsync(
        HttpClient client, string path, int concurrency, TimeSpan duration, int maxRequests, long[]? latencies)
    {
        var issued = new StrongBox<long>(0);
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var workers = new Task<Tally>[concurrency];
        for (var i = 0; i < concurrency; i++)
            workers[i] = Task.Run(() => WorkerAsync(client, path, deadline, maxRequests, issued, latencies));
        var tallies = await Task.WhenAll(workers);
        var elapsed = Stopwatch.GetTimestamp() - started;

        var tally = new Tally();
        foreach (var t in tallies) tally.Merge(t);
        return (tally, elapsed, Interlocked.Read(ref issued.Value) >= maxRequests);
    }

    private static async Task<Tally> WorkerAsync(HttpClient client, string path, long deadline, int maxRequests, StrongBox<long> issued, long[]? latencies)
    {
        var tally = new Tally();
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var slot = Interlocked.Increment(ref issued.Value) - 1;
            if (slot >= maxRequests) break;
            var begin = Stopwatch.GetTimestamp();
            try
            {
                // GetAsync completes only once the whole body has been read (ResponseContentRead).
                using var response = await client.GetAsync(path, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
                tally.Add((int)response.StatusCode);
            }
            catch (Exception exception)
            {
                tally.Add(exception);
            }
            if (latencies is not null) latencies[slot] = Stopwatch.GetTimestamp() - begin;
        }
        return tally;
    }

    /// <summary>Nearest-rank percentile of sorted samples.</summary>
    private static double Percentile(ReadOnlySpan<long> sorted, double percent)
    {
        if (sorted.Length == 0) return 0;
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static double Milliseconds(double ticks) => ticks * 1000 / Stopwatch.Frequency;
}
