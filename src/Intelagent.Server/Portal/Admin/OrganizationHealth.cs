using System.Globalization;
using Intelagent.Server.Usage;

namespace Intelagent.Server.Portal.Admin;

/// <summary>What the health of an organization is judged from (see <see cref="AdminQueries.HealthSignalsAcrossTenantsAsync"/>).</summary>
/// <param name="CallsLastWeek">API calls in the last seven complete UTC days.</param>
/// <param name="CallsWeekBefore">API calls in the seven days before those.</param>
/// <param name="FailedPayments">Failed payment attempts in the last 30 days.</param>
public sealed record HealthSignals(OrganizationUsageResponse Usage, long CallsLastWeek, long CallsWeekBefore, int FailedPayments);

public enum HealthStatus
{
    Healthy,
    Watch,
    AtRisk,
}

public sealed record HealthAssessment(HealthStatus Status, IReadOnlyList<string> Reasons)
{
    public string Summary => Reasons.Count == 0 ? "No warning signs" : string.Join("; ", Reasons);
}

/// <summary>
/// A customer's health for the operator's list, from the signals the platform has: money that does
/// not arrive (failed payments), use that falls away (API calls week over week), limits that block
/// work (a meter at 100%), and seats bought but not used. Each rule gives a reason; the status is the
/// worst one. Thresholds are deliberately coarse: this is a triage column, not a churn model (the
/// insights module's churn prediction is that). See docs/decisions/024-portal-admin.md.
/// </summary>
public static class OrganizationHealth
{
    /// <summary>Below this many calls in the earlier week a drop is noise, not a trend.</summary>
    public const long TrendBase = 70;

    /// <summary>Seat use below this share counts only when the plan has at least <see cref="SeatRuleMinimumLimit"/> seats.</summary>
    public const decimal LowSeatShare = 0.2m;
    public const long SeatRuleMinimumLimit = 10;

    public static HealthAssessment Assess(HealthSignals signals)
    {
        var reasons = new List<(HealthStatus Status, string Reason)>();
        if (signals.FailedPayments >= 2) reasons.Add((HealthStatus.AtRisk, $"{signals.FailedPayments} failed payments in 30 days"));
        else if (signals.FailedPayments == 1) reasons.Add((HealthStatus.Watch, "1 failed payment in 30 days"));

        if (signals.CallsWeekBefore >= TrendBase)
        {
            var change = (decimal)(signals.CallsLastWeek - signals.CallsWeekBefore) / signals.CallsWeekBefore;
            var text = $"API calls down {Percent(-change)} week over week";
            if (change <= -0.5m) reasons.Add((HealthStatus.AtRisk, text));
            else if (change <= -0.25m) reasons.Add((HealthStatus.Watch, text));
        }

        foreach (var (label, meter) in Meters(signals.Usage))
            if (meter.Percent >= 1m) reasons.Add((HealthStatus.Watch, $"at its {label} limit"));

        var seats = signals.Usage.Seats;
        if (seats.Limit >= SeatRuleMinimumLimit && seats.Percent < LowSeatShare)
            reasons.Add((HealthStatus.Watch, $"only {seats.Used} of {seats.Limit} seats used"));

        var status = reasons.Count == 0 ? HealthStatus.Healthy : reasons.Max(r => r.Status);
        return new HealthAssessment(status, reasons.OrderByDescending(r => r.Status).Select(r => r.Reason).ToList());
    }

    public static string Label(HealthStatus status) => status switch
    {
        HealthStatus.AtRisk => "At risk",
        HealthStatus.Watch => "Watch",
        _ => "Healthy",
    };

    private static IEnumerable<(string Label, UsageMeter Meter)> Meters(OrganizationUsageResponse usage) =>
    [
        ("daily API call", usage.ApiCallsToday), ("bandwidth", usage.BandwidthBytesThisMonth), ("storage", usage.StorageBytes),
        ("seat", usage.Seats), ("project", usage.Projects),
    ];

    private static string Percent(decimal ratio) => Math.Round(ratio * 100m, MidpointRounding.AwayFromZero).ToString(CultureInfo.InvariantCulture) + "%";
}
