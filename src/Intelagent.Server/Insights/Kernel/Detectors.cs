using System.Text.Json.Nodes;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Insights.Kernel;

/// <summary>The spec's insight types.</summary>
public static class InsightTypes
{
    public const string RevenueTrend = "revenue_trend";
    public const string UsageAnomaly = "usage_anomaly";
    public const string Optimization = "optimization";
    public const string Prediction = "prediction";
}

/// <summary>The spec's impact levels, from the money or usage at stake.</summary>
public static class InsightImpacts
{
    public const string High = "high";
    public const string Medium = "medium";
    public const string Low = "low";
}

/// <summary>
/// What a detector looks at: one organization, or the whole platform (operators' view) when
/// <see cref="OrganizationId"/> is null. <see cref="Now"/> comes from the TimeProvider.
/// </summary>
public sealed record InsightScope(string? OrganizationId, DateTimeOffset Now)
{
    public bool IsPlatform => OrganizationId is null;
}

/// <summary>
/// A finding a detector stands behind. <see cref="Confidence"/> is computed from statistics
/// (sample size, p-value, interval width), never set by hand; a detector returns nothing when the
/// data does not support a claim. <see cref="Fingerprint"/> identifies "the same finding" across
/// runs (e.g. <c>email.best_hour:2-10</c>), so the store keeps one row per finding and publishes only
/// new ones. <see cref="AmountAtStake"/> (with its currency) or <see cref="UsageAtStake"/> is what the
/// impact was derived from.
/// </summary>
public sealed record InsightCandidate(
    string Type,
    string Title,
    string Description,
    double Confidence,
    string Impact,
    string? Recommendation,
    JsonObject DataPoints,
    string Fingerprint,
    decimal? AmountAtStake = null,
    string? Currency = null,
    double? UsageAtStake = null);

/// <summary>
/// One detector. The insights runner calls every registered detector (DI: <c>IEnumerable&lt;IInsightDetector&gt;</c>)
/// on a schedule and on demand, for each organization and for the platform, and keeps what they find.
/// Register one with <c>services.AddScoped&lt;IInsightDetector, YourDetector&gt;()</c>.
/// </summary>
public interface IInsightDetector
{
    /// <summary>A stable key, e.g. <c>chatbot.tickets_prevented</c>; stored with each finding.</summary>
    string Key { get; }

    /// <summary>Whether the detector has something to say at organization level, platform level, or both.</summary>
    bool RunsFor(InsightScope scope);

    Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken);
}
