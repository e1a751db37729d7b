using System.Collections.Concurrent;

namespace Intelagent.Server.Usage;

/// <summary>Which limits may refuse this call (a limit not enforced still counts the call).</summary>
public readonly record struct Enforcement(bool Rate, bool Quota);

public enum LimitKind
{
    None,
    Rate,
    DailyQuota,
}

/// <summary>What the limiter decided for one call, with what the rate-limit headers show.</summary>
public readonly record struct LimitDecision(
    bool Allowed, LimitKind RefusedBy, int RateLimit, long RateRemaining, TimeSpan RateReset, TimeSpan RetryAfter,
    long? QuotaLimit, long QuotaRemaining, TimeSpan QuotaReset);

/// <summary>
/// Per-organization admission: the per-minute token bucket and the daily quota on the UTC calendar
/// day. In memory on this node now; a Redis implementation (one script per call) slots in behind
/// this interface for limits shared across nodes.
/// </summary>
public interface IUsageLimiter
{
    /// <param name="callsSoFarToday">Loads today's flushed count the first time an organization is seen (after a restart, say).</param>
    ValueTask<LimitDecision> TryAcquireAsync(string organizationId, UsageLimits limits, Enforcement enforcement, DateTimeOffset now,
        Func<DateTimeOffset, CancellationToken, Task<long>> callsSoFarToday, CancellationToken cancellationToken);

    /// <summary>Calls admitted today on this node's books (flushed or not), for GET /api/usage.</summary>
    long CallsToday(string organizationId, DateTimeOffset now);
}

public sealed class InMemoryUsageLimiter : IUsageLimiter
{
    private sealed class State(TokenBucket bucket)
    {
        public readonly TokenBucket Bucket = bucket;
        public DateTimeOffset Day;
        public long CallsToday;
        public bool Loaded;
        public Task<long>? Load;
    }

    private readonly ConcurrentDictionary<string, State> _states = new();

    public async ValueTask<LimitDecision> TryAcquireAsync(string organizationId, UsageLimits limits, Enforcement enforcement, DateTimeOffset now,
        Func<DateTimeOffset, CancellationToken, Task<long>> callsSoFarToday, CancellationToken cancellationToken)
    {
        var state = _states.GetOrAdd(organizationId, _ => new State(new TokenBucket(limits.RatePerMinute, limits.Burst, now)));
        var today = StartOfDay(now);
        if (!Volatile.Read(ref state.Loaded))
        {
            // One load per organization, however many first calls arrive together.
            Task<long> load;
            lock (state) load = state.Load ??= callsSoFarToday(today, CancellationToken.None);
            long loaded;
            try
            {
                loaded = await load.WaitAsync(cancellationToken);
            }
            catch when (load.IsFaulted)
            {
                lock (state) if (state.Load == load) state.Load = null; // the next call tries again
                throw;
            }
            lock (state)
            {
                if (!state.Loaded) (state.Day, state.CallsToday, state.Loaded) = (today, loaded, true);
            }
        }
        lock (state)
        {
            if (state.Day != today) (state.Day, state.CallsToday) = (today, 0);
            state.Bucket.Reconfigure(limits.RatePerMinute, limits.Burst, now);
            var quotaReset = today.AddDays(1) - now;
            var refusedBy = LimitKind.None;
            if (enforcement.Quota && limits.ApiCallsPerDay is { } quota && state.CallsToday >= quota) refusedBy = LimitKind.DailyQuota;
            else if (!state.Bucket.TryTake(now) && enforcement.Rate) refusedBy = LimitKind.Rate;
            if (refusedBy == LimitKind.None) state.CallsToday++;
            var retryAfter = refusedBy switch
            {
                LimitKind.DailyQuota => quotaReset,
                LimitKind.Rate => state.Bucket.UntilNextToken,
                _ => TimeSpan.Zero,
            };
            return new LimitDecision(refusedBy == LimitKind.None, refusedBy, limits.RatePerMinute, state.Bucket.Remaining, state.Bucket.UntilFull,
                retryAfter, limits.ApiCallsPerDay, limits.ApiCallsPerDay is { } q ? Math.Max(0, q - state.CallsToday) : 0, quotaReset);
        }
    }

    public long CallsToday(string organizationId, DateTimeOffset now)
    {
        if (!_states.TryGetValue(organizationId, out var state)) return 0;
        lock (state) return state.Day == StartOfDay(now) ? state.CallsToday : 0;
    }

    public static DateTimeOffset StartOfDay(DateTimeOffset now) => new(now.UtcDateTime.Date, TimeSpan.Zero);
}
