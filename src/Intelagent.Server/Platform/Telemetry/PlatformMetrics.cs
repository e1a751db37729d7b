using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Intelagent.Server.Organizations;

namespace Intelagent.Server.Platform.Telemetry;

/// <summary>
/// The platform's own meter ("Intelagent"): counters recorded where the events happen. The
/// instruments are static so a hot path records with no allocation and no lookup; labels are small
/// fixed sets (tier, policy, outcome, job name, transport), never a tenant or user id, which would
/// make one time series per organization (those ids go in logs and trace tags instead).
/// </summary>
public static class PlatformMetrics
{
    public const string MeterName = "Intelagent";

    private static readonly Meter Meter = new(MeterName, typeof(PlatformMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> MeteredCalls = Meter.CreateCounter<long>(
        "intelagent.usage.calls", "{call}", "Admitted metered API calls (an organization's member or API key), by tier and caller kind.");

    private static readonly Counter<long> Refusals = Meter.CreateCounter<long>(
        "intelagent.rate_limit.rejections", "{response}", "429 answers, by the policy that refused.");

    private static readonly Counter<long> Payments = Meter.CreateCounter<long>(
        "intelagent.payments", "{payment}", "Payments that reached a final outcome on this node (succeeded or failed).");

    private static readonly Counter<long> JobRuns = Meter.CreateCounter<long>(
        "intelagent.jobs.runs", "{run}", "Scheduled job executions on this node: ran, skipped (another node claimed the window) or failed.");

    /// <summary>Each host's connection registries (one in production; tests run several hosts in one process).</summary>
    private static readonly ConcurrentDictionary<object, (Func<int> Hub, Func<int> SocketIo)> ConnectionSources = new();

    /// <summary>Read when a reader collects (a scrape), so connect and disconnect pay nothing and the figure cannot drift.</summary>
    internal static readonly ObservableGauge<int> ConnectedClients = Meter.CreateObservableGauge<int>(
        "intelagent.realtime.connections", ConnectionMeasurements, "{connection}", "Real-time clients connected to this node, by transport.");

    /// <summary>Jobs whose current execution the cluster guard turned away, so the job listener does not count them as ran.</summary>
    private static readonly ConcurrentDictionary<string, byte> SkippedNow = new(StringComparer.Ordinal);

    public static class Caller
    {
        public const string User = "user";
        public const string ApiKey = "api_key";
    }

    public static class JobOutcome
    {
        public const string Ran = "ran";
        public const string Skipped = "skipped";
        public const string Failed = "failed";
    }

    public static void MeteredCall(SubscriptionTier tier, bool apiKey) =>
        MeteredCalls.Add(1, new KeyValuePair<string, object?>("tier", TierName(tier)), new KeyValuePair<string, object?>("caller", apiKey ? Caller.ApiKey : Caller.User));

    /// <summary>A 429: <paramref name="policy"/> is the stable code or limiter policy name (rate_limited, daily_quota_exceeded, sign-in, ...).</summary>
    public static void Rejected(string policy) => Refusals.Add(1, new KeyValuePair<string, object?>("policy", policy));

    public static void PaymentCompleted(bool succeeded) =>
        Payments.Add(1, new KeyValuePair<string, object?>("outcome", succeeded ? "succeeded" : "failed"));

    /// <summary>Called by the cluster job guard when another node already holds the job's window.</summary>
    public static void JobSkipped(string job)
    {
        SkippedNow[job] = 0;
        JobRun(job, JobOutcome.Skipped);
    }

    /// <summary>Called by the Quartz listener when an execution ends: failed, or ran unless the guard turned it away.</summary>
    internal static void JobFinished(string job, bool failed)
    {
        var skipped = SkippedNow.TryRemove(job, out _);
        if (failed) JobRun(job, JobOutcome.Failed);
        else if (!skipped) JobRun(job, JobOutcome.Ran);
    }

    /// <summary>Clears a mark left by a guard call outside a scheduled execution (a CLI run), before the next execution.</summary>
    internal static void JobStarting(string job) => SkippedNow.TryRemove(job, out _);

    /// <summary>Adds a host's registries to the connected-clients gauge until the returned handle is disposed.</summary>
    internal static IDisposable ObserveConnections(Func<int> hub, Func<int> socketIo)
    {
        var key = new object();
        ConnectionSources[key] = (hub, socketIo);
        return new Registration(() => ConnectionSources.TryRemove(key, out _));
    }

    private static IEnumerable<Measurement<int>> ConnectionMeasurements()
    {
        int hub = 0, socketIo = 0;
        foreach (var source in ConnectionSources.Values)
        {
            hub += source.Hub();
            socketIo += source.SocketIo();
        }
        return [new(hub, new KeyValuePair<string, object?>("transport", "signalr")), new(socketIo, new KeyValuePair<string, object?>("transport", "socketio"))];
    }

    private sealed class Registration(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }

    private static void JobRun(string job, string outcome) =>
        JobRuns.Add(1, new KeyValuePair<string, object?>("job", job), new KeyValuePair<string, object?>("outcome", outcome));

    // Constant strings: recording a tier label must not allocate (Enum.ToString would).
    private static string TierName(SubscriptionTier tier) => tier switch
    {
        SubscriptionTier.Free => "free",
        SubscriptionTier.Basic => "basic",
        SubscriptionTier.Pro => "pro",
        SubscriptionTier.Enterprise => "enterprise",
        _ => "other",
    };
}
