using Intelagent.Server.Usage;

namespace Intelagent.Tests.Unit;

public sealed class TokenBucketTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void TryTake_WhenTheBurstIsSpent_ShouldRefuseUntilTheRateRefillsOneToken()
    {
        var bucket = new TokenBucket(ratePerMinute: 60, burst: 3, Start);
        Assert.True(bucket.TryTake(Start));
        Assert.True(bucket.TryTake(Start));
        Assert.True(bucket.TryTake(Start));
        Assert.False(bucket.TryTake(Start));
        Assert.Equal(TimeSpan.FromSeconds(1), bucket.UntilNextToken);
        Assert.False(bucket.TryTake(Start.AddMilliseconds(999)));
        Assert.True(bucket.TryTake(Start.AddSeconds(1)));
        Assert.Equal(0, bucket.Remaining);
    }

    [Fact]
    public void Refill_AfterALongPause_ShouldStopAtTheBurst()
    {
        var bucket = new TokenBucket(60, 5, Start);
        for (var i = 0; i < 5; i++) Assert.True(bucket.TryTake(Start));
        Assert.True(bucket.TryTake(Start.AddHours(1)));
        Assert.Equal(4, bucket.Remaining);
        Assert.Equal(TimeSpan.FromSeconds(1), bucket.UntilFull);
    }

    [Fact]
    public void Reconfigure_ToASmallerBurst_ShouldCapTheTokensHeld()
    {
        var bucket = new TokenBucket(60, 100, Start);
        bucket.Reconfigure(60, 2, Start);
        Assert.Equal(2, bucket.Remaining);
    }

    [Fact]
    public void Counters_WhenWrittenConcurrentlyWhileDraining_ShouldHandOutEveryCountExactlyOnce()
    {
        var counters = new InMemoryUsageCounters();
        long drained = 0;
        var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 50_000; i++) counters.Record("org_a", Start, 1, 0, 0);
        })).ToArray();
        while (!writers.All(w => w.IsCompleted)) drained += counters.Drain().Sum(c => c.Calls);
        drained += counters.Drain().Sum(c => c.Calls);
        Assert.Equal(200_000, drained);
    }
}
