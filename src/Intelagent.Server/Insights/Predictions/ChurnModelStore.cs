using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>A trained model with the history it was trained on and scores from.</summary>
public sealed record TrainedChurnModel(ChurnModel Model, IReadOnlyList<CustomerTimeline> History, DateTimeOffset TrainedAt, string Fingerprint);

/// <summary>
/// Keeps one trained churn model per node, in memory, with its evaluation. It is retrained when it
/// is stale: older than <see cref="MaxAge"/>, trained through another month than the last closed
/// one, or the ledger or payments changed since (a cheap count compared on each read). Training
/// reads the history once and takes about a second for thousands of examples.
/// </summary>
public sealed class ChurnModelStore(TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(6);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private TrainedChurnModel? _current;

    public async Task<TrainedChurnModel> GetAsync(AppDb db, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var through = Month.Of(now).Previous;
        var fingerprint = await FingerprintAsync(db, cancellationToken);
        if (IsFresh(_current, through, fingerprint, now)) return _current!;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (IsFresh(_current, through, fingerprint, now)) return _current!;
            var history = await ChurnHistoryReader.ReadAcrossTenantsAsync(db, through, cancellationToken);
            var model = ChurnModel.Train(ChurnFeatures.TrainingExamples(history, through), through);
            return _current = new TrainedChurnModel(model, history, now, fingerprint);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool IsFresh(TrainedChurnModel? model, Month through, string fingerprint, DateTimeOffset now) =>
        model is not null && model.Model.TrainedThrough == through && model.Fingerprint == fingerprint && now - model.TrainedAt < MaxAge;

    private static async Task<string> FingerprintAsync(AppDb db, CancellationToken cancellationToken)
    {
        var ledger = await db.Set<SubscriptionEvent>().IgnoreQueryFilters().CountAsync(cancellationToken);
        var payments = await db.Set<Payment>().IgnoreQueryFilters().CountAsync(cancellationToken);
        return $"{ledger}|{payments}";
    }
}
