using System.Globalization;
using System.Text.Json.Nodes;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Insights.Analytics;

/// <summary>
/// "Chatbot prevented ~120 tickets, saving $1,800": conversations of the last 30 days that were
/// resolved and never handed off to a person. The confidence is one minus the relative half-width
/// of the Wilson interval of the resolution rate: a few conversations give a wide interval, and the
/// "~" in the title is as precise as that.
/// </summary>
public sealed class ChatbotTicketsPreventedDetector(ProductEventData data, IOptions<InsightOptions> options) : IInsightDetector
{
    public const int WindowDays = 30;
    public const int MinConversations = 30;
    public const int MinPrevented = 10;

    public string Key => "chatbot.tickets_prevented";

    public bool RunsFor(InsightScope scope) => !scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var organizationId = scope.OrganizationId!;
        var from = scope.Now.AddDays(-WindowDays);
        var resolved = await data.SubjectsAsync(organizationId, ProductEventTypes.ChatbotConversationResolved, from, cancellationToken);
        if (resolved.Count < MinPrevented) return [];
        var handedOff = await data.SubjectsAsync(organizationId, ProductEventTypes.ChatbotHandedOff, null, cancellationToken);
        var ticketed = await data.SubjectsAsync(organizationId, ProductEventTypes.ChatbotTicketCreated, null, cancellationToken);
        var started = await data.SubjectsAsync(organizationId, ProductEventTypes.ChatbotConversationStarted, from, cancellationToken);
        var conversations = Math.Max(started.Count, resolved.Count);
        var prevented = resolved.Count(c => !handedOff.Contains(c) && !ticketed.Contains(c));
        if (conversations < MinConversations || prevented < MinPrevented) return [];

        var (lower, upper) = Statistics.Wilson(prevented, conversations);
        var rate = (double)prevented / conversations;
        var confidence = Math.Clamp(1 - (upper - lower) / 2 / rate, 0.01, 0.99);
        var cost = options.Value.CostPerTicket;
        var saved = decimal.Round(prevented * cost, 2, MidpointRounding.AwayFromZero);
        var money = saved.ToString("#,0", CultureInfo.InvariantCulture);
        return
        [
            new InsightCandidate(InsightTypes.Optimization,
                $"Chatbot prevented ~{Approximately(prevented)} tickets, saving ${money}",
                $"In the last {WindowDays} days the chatbot resolved {prevented} of {conversations} conversations ({rate * 100:0}%) without handing them to a person. "
                + $"At {cost.ToString("0.##", CultureInfo.InvariantCulture)} {options.Value.Currency} per ticket that is {money} {options.Value.Currency} of support work saved.",
                confidence, saved >= 5000 ? InsightImpacts.High : saved >= 500 ? InsightImpacts.Medium : InsightImpacts.Low,
                handedOff.Count > 0 ? "Review the conversations handed off most often and add their answers to the bot's knowledge base." : null,
                new JsonObject
                {
                    ["windowDays"] = WindowDays, ["conversations"] = conversations, ["resolvedWithoutHandOff"] = prevented,
                    ["handedOff"] = handedOff.Count, ["resolutionRate"] = Math.Round(rate, 4),
                    ["resolutionRateInterval"] = new JsonArray(Math.Round(lower, 4), Math.Round(upper, 4)),
                    ["costPerTicket"] = cost, ["saved"] = saved, ["currency"] = options.Value.Currency,
                },
                "chatbot.tickets_prevented", saved, options.Value.Currency),
        ];
    }

    /// <summary>Two significant figures: "~120", not "~117", since the interval is wider than that.</summary>
    private static long Approximately(long value) =>
        value < 100 ? value : (long)(Math.Round(value / Math.Pow(10, Math.Floor(Math.Log10(value)) - 1)) * Math.Pow(10, Math.Floor(Math.Log10(value)) - 1));
}

/// <summary>"Emails sent Tuesday 10am get 30% better engagement", only after Holm's correction across every weekday-hour tested.</summary>
public sealed class EmailSendTimeDetector(ProductEventData data, IOptions<InsightOptions> options) : IInsightDetector
{
    public const int WindowDays = 90;

    public string Key => "email.best_send_time";

    public bool RunsFor(InsightScope scope) => !scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        // Sends of the last two days are left out: their opens are still arriving.
        var cells = await data.SendCellsAsync(scope.OrganizationId!, scope.Now.AddDays(-WindowDays), scope.Now.AddDays(-2), null, cancellationToken);
        if (ProductAnalyses.BestSendTime(cells, options.Value.FamilyAlpha) is not { } finding) return [];
        var best = finding.Best;
        return
        [
            new InsightCandidate(InsightTypes.Optimization,
                $"Emails sent {best.Label} get {finding.Lift * 100:0}% better engagement",
                $"Over {WindowDays} days, {best.Engaged} of {best.Sent} emails sent {best.Label} were opened or clicked ({best.Rate * 100:0.0}%), against {finding.RestRate * 100:0.0}% "
                + $"for the other send times. Significant after correcting for the {finding.CellsTested} weekday-hours compared (Holm, adjusted p = {finding.AdjustedP:G2}).",
                1 - finding.AdjustedP, finding.Lift >= 0.25 && best.Sent >= 500 ? InsightImpacts.High : finding.Lift >= 0.1 ? InsightImpacts.Medium : InsightImpacts.Low,
                $"Schedule campaigns for {best.Label}.",
                new JsonObject
                {
                    ["weekday"] = best.Weekday, ["hourUtc"] = best.Hour, ["sent"] = best.Sent, ["engaged"] = best.Engaged,
                    ["engagementRate"] = Math.Round(best.Rate, 4), ["otherRate"] = Math.Round(finding.RestRate, 4), ["lift"] = Math.Round(finding.Lift, 4),
                    ["adjustedP"] = finding.AdjustedP, ["cellsTested"] = finding.CellsTested, ["totalSent"] = finding.TotalSent, ["windowDays"] = WindowDays,
                },
                $"email.best_send_time:{best.Key}", UsageAtStake: best.Sent),
        ];
    }
}

/// <summary>"Enriched leads respond 23% vs 8%": contacted leads of the last 90 days, enriched against not enriched.</summary>
public sealed class LeadEnrichmentDetector(ProductEventData data, IOptions<InsightOptions> options) : IInsightDetector
{
    public const int WindowDays = 90;

    public string Key => "lead.enrichment_response";

    public bool RunsFor(InsightScope scope) => !scope.IsPlatform;

    public async Task<IReadOnlyList<InsightCandidate>> DetectAsync(AppDb db, InsightScope scope, CancellationToken cancellationToken)
    {
        var organizationId = scope.OrganizationId!;
        var contacted = await data.SubjectsAsync(organizationId, ProductEventTypes.LeadContacted, scope.Now.AddDays(-WindowDays), cancellationToken);
        if (contacted.Count < 2 * ProductAnalyses.MinGroupSize) return [];
        var enriched = await data.SubjectsAsync(organizationId, ProductEventTypes.LeadEnriched, null, cancellationToken);
        var responded = await data.SubjectsAsync(organizationId, ProductEventTypes.LeadResponded, null, cancellationToken);
        var enrichedContacted = contacted.Where(enriched.Contains).ToList();
        var baseline = contacted.Where(l => !enriched.Contains(l)).ToList();
        var finding = ProductAnalyses.CompareRates(enrichedContacted.Count(responded.Contains), enrichedContacted.Count,
            baseline.Count(responded.Contains), baseline.Count, options.Value.FamilyAlpha);
        if (finding is null) return [];
        var better = finding.Rate1 > finding.Rate2;
        return
        [
            new InsightCandidate(InsightTypes.Optimization,
                $"Enriched leads respond {finding.Rate1 * 100:0}% vs {finding.Rate2 * 100:0}%",
                $"Of {finding.Trials1} enriched leads contacted in the last {WindowDays} days, {finding.Successes1} responded ({finding.Rate1 * 100:0.0}%); "
                + $"of {finding.Trials2} leads contacted without enrichment, {finding.Successes2} ({finding.Rate2 * 100:0.0}%). Two-proportion test: p = {finding.P:G2}.",
                1 - finding.P, Math.Abs(finding.Rate1 - finding.Rate2) >= 0.1 ? InsightImpacts.High : InsightImpacts.Medium,
                better ? "Enrich leads before the first contact." : "Enriched leads respond less: check the enrichment source before relying on it.",
                new JsonObject
                {
                    ["enrichedContacted"] = finding.Trials1, ["enrichedResponded"] = finding.Successes1, ["enrichedRate"] = Math.Round(finding.Rate1, 4),
                    ["baselineContacted"] = finding.Trials2, ["baselineResponded"] = finding.Successes2, ["baselineRate"] = Math.Round(finding.Rate2, 4),
                    ["z"] = Math.Round(finding.Z, 3), ["p"] = finding.P, ["windowDays"] = WindowDays,
                },
                better ? "lead.enrichment_response:better" : "lead.enrichment_response:worse", UsageAtStake: finding.Trials1),
        ];
    }
}
