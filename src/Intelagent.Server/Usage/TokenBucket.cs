namespace Intelagent.Server.Usage;

/// <summary>
/// A token bucket: holds up to <c>burst</c> tokens, refills continuously at <c>ratePerMinute</c>,
/// and each call takes one. Not thread-safe: the owner serializes access (one lock per organization).
/// </summary>
public sealed class TokenBucket(int ratePerMinute, int burst, DateTimeOffset now)
{
    private double _tokens = burst;
    private DateTimeOffset _updatedAt = now;

    public int RatePerMinute { get; private set; } = ratePerMinute;
    public int Burst { get; private set; } = burst;

    /// <summary>Whole tokens left (what X-RateLimit-Remaining shows).</summary>
    public long Remaining => (long)Math.Floor(_tokens);

    /// <summary>A limit change applies at once; the tokens held never exceed the new burst.</summary>
    public void Reconfigure(int ratePerMinute, int burst, DateTimeOffset now)
    {
        if (ratePerMinute == RatePerMinute && burst == Burst) return;
        Refill(now);
        (RatePerMinute, Burst) = (ratePerMinute, burst);
        _tokens = Math.Min(_tokens, burst);
    }

    public bool TryTake(DateTimeOffset now)
    {
        Refill(now);
        if (_tokens < 1) return false;
        _tokens -= 1;
        return true;
    }

    /// <summary>How long until one whole token is back (zero when one is there now).</summary>
    public TimeSpan UntilNextToken => _tokens >= 1 || RatePerMinute <= 0 ? TimeSpan.Zero : TimeSpan.FromMinutes((1 - _tokens) / RatePerMinute);

    /// <summary>How long until the bucket is full again.</summary>
    public TimeSpan UntilFull => RatePerMinute <= 0 ? TimeSpan.Zero : TimeSpan.FromMinutes((Burst - _tokens) / RatePerMinute);

    private void Refill(DateTimeOffset now)
    {
        var elapsed = now - _updatedAt;
        if (elapsed <= TimeSpan.Zero) return;
        _tokens = Math.Min(Burst, _tokens + elapsed.TotalMinutes * RatePerMinute);
        _updatedAt = now;
    }
}
