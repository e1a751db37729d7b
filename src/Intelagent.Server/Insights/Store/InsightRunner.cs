using System.Text.Json;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Insights.Store;

public sealed record InsightRunSummary(int Found, int New, int NoLongerCurrent, IReadOnlyList<string> FailedDetectors);

/// <summary>
/// Runs every registered detector for one scope and reconciles what they say with the stored
/// findings. A detector that throws is logged and skipped, and its earlier findings are left as they
/// were: a failure is not evidence that a finding stopped being true.
/// </summary>
public sealed class InsightRunner(AppDb db, IEnumerable<IInsightDetector> detectors, ILogger<InsightRunner> logger)
{
    public async Task<InsightRunSummary> RunAsync(string? organizationId, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var scope = new InsightScope(organizationId, now);
        var scopeKey = organizationId ?? Insight.PlatformScope;
        var candidates = new List<(string Detector, InsightCandidate Candidate)>();
        var ran = new HashSet<string>(StringComparer.Ordinal);
        var failed = new List<string>();
        foreach (var detector in detectors.Where(d => d.RunsFor(scope)))
        {
            try
            {
                var found = await detector.DetectAsync(db, scope, cancellationToken);
                candidates.AddRange(found.Where(IsSound).DistinctBy(c => c.Fingerprint).Select(c => (detector.Key, c)));
                ran.Add(detector.Key);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogError(exception, "Insight detector {Detector} failed for {Scope}", detector.Key, scopeKey);
                failed.Add(detector.Key);
            }
        }

        var stored = await db.Set<Insight>().IgnoreQueryFilters().Where(i => i.OrganizationId == scopeKey).ToListAsync(cancellationToken);
        var byKey = stored.ToDictionary(i => (i.Detector, i.Fingerprint));
        var fresh = 0;
        foreach (var (detector, candidate) in candidates)
        {
            if (!byKey.TryGetValue((detector, candidate.Fingerprint), out var insight))
            {
                insight = new Insight
                {
                    Id = Id.New(IdPrefix.Insight, db.Clock),
                    OrganizationId = scopeKey,
                    Detector = detector,
                    Fingerprint = candidate.Fingerprint,
                    Type = candidate.Type,
                    Title = candidate.Title,
                    Description = candidate.Description,
                    Impact = candidate.Impact,
                    DetectedAt = now,
                };
                db.Set<Insight>().Add(insight);
            }
            var isNew = !insight.IsCurrent;
            Apply(insight, candidate, now);
            if (isNew)
            {
                fresh++;
                db.Raise(new InsightFound(organizationId, insight.Id, insight.Type, insight.Title, insight.Impact, insight.Confidence));
            }
            byKey.Remove((detector, candidate.Fingerprint));
        }
        var gone = 0;
        foreach (var stale in byKey.Values.Where(i => i.IsCurrent && ran.Contains(i.Detector)))
        {
            stale.IsCurrent = false;
            stale.NoLongerCurrentAt = now;
            gone++;
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            // Another node ran the same scope at the same moment and stored the same findings.
            db.ChangeTracker.Clear();
            logger.LogDebug("Insights for {Scope} were stored by a concurrent run", scopeKey);
        }
        return new InsightRunSummary(candidates.Count, fresh, gone, failed);
    }

    private static bool IsSound(InsightCandidate c) =>
        !double.IsNaN(c.Confidence) && c.Confidence is > 0 and <= 1 && !string.IsNullOrWhiteSpace(c.Fingerprint) && c.Fingerprint.Length <= 200;

    private static void Apply(Insight insight, InsightCandidate candidate, DateTimeOffset now)
    {
        insight.Type = candidate.Type;
        insight.Title = Clip(candidate.Title, 300);
        insight.Description = Clip(candidate.Description, 2000);
        insight.Confidence = Math.Round(candidate.Confidence, 4);
        insight.Impact = candidate.Impact;
        insight.Recommendation = candidate.Recommendation is null ? null : Clip(candidate.Recommendation, 1000);
        insight.DataPointsJson = candidate.DataPoints.ToJsonString(JsonSerializerOptions.Web);
        insight.AmountAtStake = candidate.AmountAtStake;
        insight.Currency = candidate.Currency;
        insight.UsageAtStake = candidate.UsageAtStake;
        insight.LastDetectedAt = now;
        insight.IsCurrent = true;
        insight.NoLongerCurrentAt = null;
    }

    private static string Clip(string value, int max) => value.Length <= max ? value : value[..(max - 1)] + "…";
}
