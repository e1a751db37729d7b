using System.Text.Json;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Insights.Store;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Realtime.Activity;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Portal.Customer.Home;

/// <summary>One usage meter against its limit as the dashboard draws it.</summary>
/// <param name="Percent">Used over limit as a percentage (may pass 100); null when unlimited.</param>
/// <param name="Scale">The fraction of the bar the used amount fills (the limit sits at <see cref="LimitAt"/>).</param>
public sealed record UsageGauge(string Key, string Label, string UsedText, string LimitText, decimal? Percent, double Scale, double LimitAt)
{
    public string Description => Percent is { } percent ? $"{Label}: {UsedText} of {LimitText} ({percent:0}%)" : $"{Label}: {UsedText}, no limit";
}

/// <summary>What the dashboard aggregates: usage meters as gauges, and the newest activity.</summary>
public static class DashboardQueries
{
    /// <summary>
    /// The meters of <c>GET /api/organizations/{id}/usage</c> as gauges. The bar spans the larger of the
    /// amount used and the limit, so an overage shows as a bar past the limit's mark rather than a full bar.
    /// </summary>
    public static IReadOnlyList<UsageGauge> Gauges(UsageResponse usage) =>
    [
        Gauge("api-calls", "API calls today", usage.ApiCallsToday, "calls"),
        Gauge("bandwidth", "Bandwidth this month", usage.BandwidthBytesThisMonth, "bytes"),
        Gauge("storage", "Storage", usage.StorageBytes, "bytes"),
        Gauge("seats", "Seats", usage.Seats, "seats"),
        Gauge("projects", "Projects", usage.Projects, "projects"),
    ];

    public static UsageGauge Gauge(string key, string label, UsageMeter meter, string unit)
    {
        var used = UsageFormat.Amount(meter.Used, unit);
        // No limit, no share to fill: the bar stays an empty track and the words say "unlimited".
        if (meter.Limit is not { } limit) return new UsageGauge(key, label, used, "unlimited", null, 0, 1);
        var percent = meter.Percent is { } ratio ? Math.Round(ratio * 100m, 1) : limit == 0 ? (meter.Used > 0 ? 100m : 0m) : Math.Round(100m * meter.Used / limit, 1);
        var span = Math.Max(Math.Max(meter.Used, limit), 1);
        return new UsageGauge(key, label, used, UsageFormat.Amount(limit, unit), percent, (double)meter.Used / span, (double)limit / span);
    }

    /// <summary>The insights that matter most: highest impact first, then the most confident, then the newest.</summary>
    public static List<InsightResponse> TopInsights(IEnumerable<InsightResponse> insights, int count) =>
        insights.OrderBy(i => i.Impact switch { InsightImpacts.High => 0, InsightImpacts.Medium => 1, _ => 2 })
            .ThenByDescending(i => i.Confidence).ThenByDescending(i => i.Id, StringComparer.Ordinal).Take(count).ToList();

    /// <summary>The newest entries of the organization in context, as <c>GET /api/organizations/{id}/activity</c> lists them.</summary>
    public static async Task<Result<List<ActivityResponse>>> LatestActivityAsync(IServiceProvider services, int count, CancellationToken cancellationToken)
    {
        var entries = await services.GetRequiredService<AppDb>().Set<ActivityEntry>().AsNoTracking()
            .OrderByDescending(e => e.Id).Take(count).ToListAsync(cancellationToken);
        return entries.Select(ActivityResponse.From).ToList();
    }

    /// <summary>
    /// Puts a live entry on top of the feed: once (a reconnect may replay it), newest first, at most
    /// <paramref name="keep"/> entries.
    /// </summary>
    public static List<ActivityResponse> Prepend(IReadOnlyList<ActivityResponse> feed, ActivityResponse entry, int keep) =>
        feed.Any(e => e.Id == entry.Id) ? [.. feed] : [.. new[] { entry }.Concat(feed).OrderByDescending(e => e.Id, StringComparer.Ordinal).Take(keep)];

    /// <summary>An entry in words: "Olivia Owner created the team Support".</summary>
    public static string Describe(ActivityResponse entry)
    {
        var actor = entry.Actor?.Name ?? "Someone";
        var target = entry.Target.Name ?? entry.Target.Id;
        string Detail(string name) => entry.Details is { ValueKind: JsonValueKind.Object } details && details.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "?";
        return entry.Action switch
        {
            "team.created" => $"{actor} created the team {target}",
            "team.updated" => $"{actor} updated the team {target}",
            "team.deleted" => $"{actor} deleted the team {target}",
            "team.member_added" => $"{actor} added a member to the team {target}",
            "team.member_removed" => $"{actor} removed a member from the team {target}",
            "team.member_role_changed" => $"{actor} changed a member's role in the team {target}",
            "project.created" => $"{actor} created the project {target}",
            "project.updated" => $"{actor} updated the project {target}",
            "project.deleted" => $"{actor} deleted the project {target}",
            "member.joined" => $"{target} joined as {Detail("role")}",
            "member.invited" => $"{actor} invited {target} as {Detail("role")}",
            "member.role_changed" => $"{actor} changed {target}'s role from {Detail("oldRole")} to {Detail("newRole")}",
            "member.removed" => $"{actor} removed {target}",
            "member.left" => $"{target} left the organization",
            "organization.updated" => $"{actor} updated the organization's settings",
            "organization.ownership_transferred" => $"{actor} transferred ownership to {target}",
            "organization.deletion_scheduled" => $"{actor} scheduled the organization's deletion",
            "organization.deletion_cancelled" => $"{actor} cancelled the organization's deletion",
            _ => $"{actor}: {entry.Action.Replace('_', ' ')} {target}",
        };
    }
}
