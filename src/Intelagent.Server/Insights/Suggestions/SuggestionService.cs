using Intelagent.Server.Insights.Analytics;
using Intelagent.Server.Insights.Kernel;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Insights.Suggestions;

/// <param name="Interval">95% Wilson interval of the engagement rate; templates are ranked by its lower end, so a template with few sends cannot top the list by luck.</param>
public sealed record TemplateSuggestion(int Rank, string Template, long Sent, long Engaged, double EngagementRate, double[] Interval);

public sealed record SendTimeSuggestion(int Weekday, int HourUtc, string Label, double EngagementRate, double OtherRate, double Lift, double AdjustedP);

public sealed record FeatureSuggestion(string Product, string Title, string Description);

public sealed record ContentTip(string Tip, string Basis);

public sealed record SuggestionsResponse(
    int WindowDays, IReadOnlyList<TemplateSuggestion> Templates, SendTimeSuggestion? BestSendTime,
    IReadOnlyList<FeatureSuggestion> UnusedFeatures, IReadOnlyList<ContentTip> ContentTips);

/// <summary><c>GET /api/ai/suggestions</c>: what to send, when, which products to try, and tips from what performs.</summary>
public sealed class SuggestionService(ProductEventData data, TimeProvider clock, IOptions<InsightOptions> options)
{
    public const int WindowDays = 90;

    private static readonly (string Product, string Title, string Description)[] Products =
    [
        ("chatbot", "Try the support chatbot", "Answer common questions automatically; resolved conversations are tickets your team never handles."),
        ("email", "Try email campaigns", "Send campaigns and see which templates and send times engage your audience."),
        ("lead", "Try lead enrichment", "Enrich leads before contacting them and compare their response rate with the rest."),
    ];

    public async Task<SuggestionsResponse> SuggestAsync(string organizationId, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var from = now.AddDays(-WindowDays);
        var templates = await TemplatesAsync(organizationId, from, cancellationToken);
        var cells = await data.SendCellsAsync(organizationId, from, now.AddDays(-2), null, cancellationToken);
        var best = ProductAnalyses.BestSendTime(cells, options.Value.FamilyAlpha);
        var fromDay = ProductEventData.DayOf(from);
        var used = await data.Rollups(organizationId).Where(r => r.Day >= fromDay && r.Dimension == "").Select(r => r.Type).Distinct().ToListAsync(cancellationToken);
        var usedProducts = used.Select(ProductEventTypes.ProductOf).ToHashSet();
        var unused = Products.Where(p => !usedProducts.Contains(p.Product)).Select(p => new FeatureSuggestion(p.Product, p.Title, p.Description)).ToList();
        return new SuggestionsResponse(WindowDays, templates,
            best is null ? null : new SendTimeSuggestion(best.Best.Weekday, best.Best.Hour, best.Best.Label, Math.Round(best.Best.Rate, 4),
                Math.Round(best.RestRate, 4), Math.Round(best.Lift, 4), best.AdjustedP),
            unused, await TipsAsync(organizationId, from, templates, best, cancellationToken));
    }

    private async Task<List<TemplateSuggestion>> TemplatesAsync(string organizationId, DateTimeOffset from, CancellationToken cancellationToken)
    {
        var fromDay = ProductEventData.DayOf(from);
        var sends = await data.Events(organizationId).Where(e => e.Type == ProductEventTypes.EmailSent && e.Day >= fromDay && e.Variant != null && e.SubjectKey != null)
            .Select(e => new { e.SubjectKey, e.Variant }).ToListAsync(cancellationToken);
        var engaged = await data.SubjectsAsync(organizationId, ProductEventTypes.EmailOpened, from, cancellationToken);
        engaged.UnionWith(await data.SubjectsAsync(organizationId, ProductEventTypes.EmailClicked, from, cancellationToken));
        return sends.DistinctBy(s => s.SubjectKey).GroupBy(s => s.Variant!)
            .Select(g => (Template: g.Key, Sent: (long)g.Count(), Engaged: (long)g.Count(s => engaged.Contains(s.SubjectKey!))))
            .Select(t => (t.Template, t.Sent, t.Engaged, Interval: Statistics.Wilson(t.Engaged, t.Sent)))
            .OrderByDescending(t => t.Interval.Lower).ThenByDescending(t => t.Sent).Take(20)
            .Select((t, i) => new TemplateSuggestion(i + 1, t.Template, t.Sent, t.Engaged, Math.Round((double)t.Engaged / t.Sent, 4),
                [Math.Round(t.Interval.Lower, 4), Math.Round(t.Interval.Upper, 4)]))
            .ToList();
    }

    private async Task<List<ContentTip>> TipsAsync(string organizationId, DateTimeOffset from, List<TemplateSuggestion> templates, SendTimeFinding? best, CancellationToken cancellationToken)
    {
        var tips = new List<ContentTip>();
        if (templates.Count >= 2)
        {
            var top = templates[0];
            var rest = templates.Skip(1).ToList();
            var finding = ProductAnalyses.CompareRates(top.Engaged, top.Sent, rest.Sum(t => t.Engaged), rest.Sum(t => t.Sent), options.Value.FamilyAlpha);
            if (finding is not null && finding.Rate1 > finding.Rate2)
                tips.Add(new ContentTip($"Model new emails on the template '{top.Template}': it engages {finding.Rate1 * 100:0}% of recipients against {finding.Rate2 * 100:0}% for the others.",
                    $"two-proportion test over {top.Sent + rest.Sum(t => t.Sent)} sends, p = {finding.P:G2}"));
        }
        if (best is not null)
            tips.Add(new ContentTip($"Send at {best.Best.Label}: {best.Lift * 100:0}% better engagement than other times.",
                $"Holm-corrected across {best.CellsTested} weekday-hours, adjusted p = {best.AdjustedP:G2}"));
        var resolved = await data.SubjectsAsync(organizationId, ProductEventTypes.ChatbotConversationResolved, from, cancellationToken);
        var handedOff = await data.SubjectsAsync(organizationId, ProductEventTypes.ChatbotHandedOff, from, cancellationToken);
        var conversations = resolved.Union(handedOff).Count();
        if (conversations >= ChatbotTicketsPreventedDetector.MinConversations)
        {
            var (lower, _) = Statistics.Wilson(handedOff.Count, conversations);
            if (lower > 0.3)
                tips.Add(new ContentTip("Add the answers people ask a person for to the chatbot's knowledge base: it hands off more than 30% of its conversations.",
                    $"{handedOff.Count} of {conversations} conversations handed off; 95% interval from {lower * 100:0}%"));
        }
        return tips;
    }
}
