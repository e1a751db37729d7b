using System.Collections.Concurrent;
using System.Globalization;
using Intelagent.Server.Realtime.Stream;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Intelagent.Server.Usage;

/// <summary>
/// The limiter shared by every node (<c>REDIS_URL</c>): the token bucket and the daily quota of an
/// organization live in Redis and one Lua script decides a call atomically, in one round trip. When
/// Redis cannot be reached the node limits on its own (<see cref="InMemoryUsageLimiter"/>), says so
/// in the log and in <c>/health/ready</c> (Degraded), and goes back to Redis by itself once the
/// multiplexer has reconnected. See docs/decisions/015-usage-degradation.md.
/// </summary>
public sealed class RedisUsageLimiter(IConfiguration configuration, InMemoryUsageLimiter local, ILogger<RedisUsageLimiter> logger)
    : IUsageLimiter, IHostedService, IAsyncDisposable
{
    // KEYS[1] bucket hash (t = tokens, u = updated ms), KEYS[2] today's admitted calls.
    // ARGV: now ms, rate per minute, burst, quota (-1 unlimited), enforce rate, enforce quota,
    // seconds until the day key may go, calls already flushed today (-1: not loaded yet).
    // Returns {refusedBy (0 none, 1 rate, 2 quota, -1 load today's count first), calls today, tokens}.
    private const string Script = """
        local now = tonumber(ARGV[1])
        local rate = tonumber(ARGV[2])
        local burst = tonumber(ARGV[3])
        local quota = tonumber(ARGV[4])
        local calls = redis.call('GET', KEYS[2])
        if not calls then
          if tonumber(ARGV[8]) < 0 then return {-1, 0, '0'} end
          calls = tonumber(ARGV[8])
          redis.call('SET', KEYS[2], calls, 'EX', tonumber(ARGV[7]))
        else
          calls = tonumber(calls)
        end
        local bucket = redis.call('HMGET', KEYS[1], 't', 'u')
        local tokens = tonumber(bucket[1]) or burst
        local updated = tonumber(bucket[2]) or now
        if now > updated then
          tokens = tokens + (now - updated) * rate / 60000
          updated = now
        end
        if tokens > burst then tokens = burst end
        local refused = 0
        if ARGV[6] == '1' and quota >= 0 and calls >= quota then
          refused = 2
        elseif tokens >= 1 then
          tokens = tokens - 1
        elseif ARGV[5] == '1' then
          refused = 1
        end
        if refused == 0 then calls = redis.call('INCR', KEYS[2]) end
        redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(updated))
        redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 60000 / rate) + 60000)
        return {refused, calls, tostring(tokens)}
        """;

    private readonly ConfigurationOptions? _options = RedisOptions(configuration);
    private readonly string _prefix = (configuration["Usage:RedisPrefix"] ?? "intelagent") + ":usage:";
    private readonly ConcurrentDictionary<string, (DateTimeOffset Day, long Calls)> _seen = new();
    private ConnectionMultiplexer? _redis;
    private int _degraded;

    /// <summary>True while this node limits on its own because Redis is out of reach.</summary>
    public bool Degraded => _redis is not { IsConnected: true } || Volatile.Read(ref _degraded) == 1;

    public bool Configured => _options is not null;

    /// <summary>Whether the multiplexer is connected now (the shared windows count in Redis only then).</summary>
    public bool Connected => _redis is { IsConnected: true };

    public async ValueTask<LimitDecision> TryAcquireAsync(string organizationId, UsageLimits limits, Enforcement enforcement, DateTimeOffset now,
        Func<DateTimeOffset, CancellationToken, Task<long>> callsSoFarToday, CancellationToken cancellationToken)
    {
        if (_redis is not { IsConnected: true } redis)
        {
            MarkDegraded(null);
            return await local.TryAcquireAsync(organizationId, limits, enforcement, now, callsSoFarToday, cancellationToken);
        }
        try
        {
            var day = InMemoryUsageLimiter.StartOfDay(now);
            var result = await EvaluateAsync(redis, organizationId, limits, enforcement, now, day, -1);
            if ((int)result[0] == -1)
                result = await EvaluateAsync(redis, organizationId, limits, enforcement, now, day, await callsSoFarToday(day, cancellationToken));
            MarkRecovered();
            return Decide((int)result[0], (long)result[1], double.Parse((string)result[2]!, CultureInfo.InvariantCulture), organizationId, limits, now, day);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            MarkDegraded(exception);
            return await local.TryAcquireAsync(organizationId, limits, enforcement, now, callsSoFarToday, cancellationToken);
        }
    }

    // KEYS[1] one window's counter; ARGV[1] how long to keep it (ms). Returns the count with this attempt.
    private const string WindowScript = "local c = redis.call('INCR', KEYS[1]) if c == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return c";

    /// <summary>
    /// Counts one attempt for <paramref name="key"/> in the fixed window of <paramref name="window"/>
    /// that holds <paramref name="now"/>, once for every node: the count so far (this attempt
    /// included) and when the window ends. Null when Redis is not configured or not reachable, and the
    /// caller counts on this node alone. Used by the per-address throttles (Platform/Http/RateLimits).
    /// </summary>
    public async ValueTask<(long Count, TimeSpan ResetIn)?> CountInWindowAsync(string key, TimeSpan window, DateTimeOffset now)
    {
        if (_redis is not { IsConnected: true } redis) return null;
        var (windowKey, resetIn, keep) = Window(key, window, now);
        try
        {
            var count = (long)await redis.GetDatabase().ScriptEvaluateAsync(WindowScript, [windowKey], [keep]);
            MarkRecovered();
            return (count, resetIn);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            MarkDegraded(exception);
            return null;
        }
    }

    private (RedisKey Key, TimeSpan ResetIn, long KeepMilliseconds) Window(string key, TimeSpan window, DateTimeOffset now)
    {
        var length = Math.Max(1, (long)window.TotalMilliseconds);
        var index = now.ToUnixTimeMilliseconds() / length;
        var resetIn = TimeSpan.FromMilliseconds((index + 1) * length - now.ToUnixTimeMilliseconds());
        return (new RedisKey(_prefix + "window:" + key + ":" + index.ToString(CultureInfo.InvariantCulture)), resetIn, length * 2);
    }

    public long CallsToday(string organizationId, DateTimeOffset now) => Math.Max(local.CallsToday(organizationId, now),
        _seen.TryGetValue(organizationId, out var seen) && seen.Day == InMemoryUsageLimiter.StartOfDay(now) ? seen.Calls : 0);

    private async Task<RedisResult[]> EvaluateAsync(ConnectionMultiplexer redis, string organizationId, UsageLimits limits, Enforcement enforcement,
        DateTimeOffset now, DateTimeOffset day, long flushedToday)
    {
        var dayKey = _prefix + organizationId + ":calls:" + day.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var keepDayKey = (long)(day.AddDays(1) - now).TotalSeconds + 3600;
        var result = await redis.GetDatabase().ScriptEvaluateAsync(Script,
            [new RedisKey(_prefix + organizationId + ":bucket"), new RedisKey(dayKey)],
            [now.ToUnixTimeMilliseconds(), limits.RatePerMinute, limits.Burst, limits.ApiCallsPerDay ?? -1, enforcement.Rate ? 1 : 0,
                enforcement.Quota ? 1 : 0, keepDayKey, flushedToday]);
        return (RedisResult[])result!;
    }

    private LimitDecision Decide(int refused, long calls, double tokens, string organizationId, UsageLimits limits, DateTimeOffset now, DateTimeOffset day)
    {
        _seen[organizationId] = (day, calls);
        var refusedBy = refused switch { 1 => LimitKind.Rate, 2 => LimitKind.DailyQuota, _ => LimitKind.None };
        var quotaReset = day.AddDays(1) - now;
        var perMinute = Math.Max(1, limits.RatePerMinute);
        var retryAfter = refusedBy switch
        {
            LimitKind.DailyQuota => quotaReset,
            LimitKind.Rate => TimeSpan.FromMinutes(Math.Max(0, 1 - tokens) / perMinute),
            _ => TimeSpan.Zero,
        };
        return new LimitDecision(refusedBy == LimitKind.None, refusedBy, limits.RatePerMinute, (long)Math.Floor(tokens),
            TimeSpan.FromMinutes(Math.Max(0, limits.Burst - tokens) / perMinute), retryAfter, limits.ApiCallsPerDay,
            limits.ApiCallsPerDay is { } quota ? Math.Max(0, quota - calls) : 0, quotaReset);
    }

    private void MarkDegraded(Exception? exception)
    {
        if (_options is null || Interlocked.Exchange(ref _degraded, 1) == 1) return;
        logger.LogWarning(exception, "Redis unreachable: usage limits are enforced per node until it is back (each node admits up to the full limit)");
    }

    private void MarkRecovered()
    {
        if (Interlocked.Exchange(ref _degraded, 0) == 1) logger.LogInformation("Redis reachable again: usage limits are shared across nodes");
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_options is null) return;
        // AbortOnConnectFail=false: the node starts without Redis and the multiplexer keeps reconnecting.
        _redis = await ConnectionMultiplexer.ConnectAsync(_options);
        // Back to shared limits (and a Healthy /health/ready) as soon as Redis is, not at the next metered call.
        _redis.ConnectionRestored += (_, _) => MarkRecovered();
        if (!_redis.IsConnected) MarkDegraded(null);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null) await _redis.DisposeAsync();
    }

    /// <summary>Shown in /health/ready: Degraded (still 200) while limits are per node.</summary>
    internal sealed class HealthCheck(RedisUsageLimiter limiter) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(
            HealthCheckContext context, CancellationToken cancellationToken = default) => Task.FromResult(
            !limiter.Configured ? HealthCheckResult.Healthy("usage limits in memory (one node)")
            : limiter.Degraded ? HealthCheckResult.Degraded("Redis unreachable: usage limits are per node until it is back")
            : HealthCheckResult.Healthy("usage limits shared through Redis"));
    }

    /// <summary><c>Usage:RedisUrl</c> when the limits should live on a Redis of their own, otherwise <c>REDIS_URL</c>.</summary>
    private static ConfigurationOptions? RedisOptions(IConfiguration configuration)
    {
        var url = configuration["Usage:RedisUrl"] is { Length: > 0 } own ? own : configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(url)) return null;
        var options = RealtimeRedisSettings.Parse(url);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.BacklogPolicy = BacklogPolicy.FailFast; // per-node limits at once while Redis is away, not after a timeout
        // Redis answers in well under a millisecond; waiting longer than this only delays the caller.
        options.SyncTimeout = options.AsyncTimeout = configuration.GetValue("Usage:RedisTimeoutMilliseconds", 1000);
        return options;
    }
}
