using System.Collections.Frozen;
using static Intelagent.Server.Insights.Query.QueryDimensions;

namespace Intelagent.Server.Insights.Query;

/// <summary>Where a metric's data lives, which decides who may read it and how it is executed.</summary>
public enum MetricFamily
{
    /// <summary>The company's subscription ledger (Billing/Metrics): platform finance only.</summary>
    Finance,
    /// <summary>Costs: the company's cost entries (platform) or what an organization is billed.</summary>
    Cost,
    /// <summary>The churn model's list (<c>IChurnRiskScorer</c>).</summary>
    ChurnRisk,
    /// <summary>Metered API usage (UsageRollup).</summary>
    Usage,
    /// <summary>Product events' daily roll-ups.</summary>
    ProductEvents,
    /// <summary>Memberships (seats).</summary>
    Members,
}

/// <summary>How a figure is shown: money in the reporting currency, a count, or a ratio (0.05 = 5%).</summary>
public enum MetricUnit
{
    Money,
    Count,
    Ratio,
}

/// <param name="Numerator">For product events: the event type counted (or the rate's numerator).</param>
/// <param name="Denominator">For a rate: the event type it is divided by.</param>
public sealed record MetricDefinition(
    string Code,
    string Label,
    MetricFamily Family,
    MetricUnit Unit,
    string[] Phrases,
    string[] Groupings,
    string? Numerator = null,
    string? Denominator = null,
    bool Weak = false);

/// <summary>
/// The parser's vocabulary: metrics with their synonyms and the groupings each supports,
/// dimensions, and the words the parser knows (typos are corrected towards them). The public
/// document of the same is docs/insights-vocabulary.md; a test keeps the two in step.
/// </summary>
public static class Vocabulary
{
    private static readonly string[] FinanceGroupings = [Month, Quarter, Product, Tier, Customer];
    private static readonly string[] MonthlyOnly = [Month, Quarter];
    private static readonly string[] EventCounts = [Day, Week, Month, Quarter, Weekday, Customer];
    private static readonly string[] EmailCounts = [Day, Week, Month, Quarter, Weekday, Hour, Customer];

    public static readonly IReadOnlyList<MetricDefinition> Metrics =
    [
        new("mrr", "MRR", MetricFamily.Finance, MetricUnit.Money,
            ["mrr", "monthly recurring revenue", "recurring revenue", "revenue", "revenues", "sales", "income", "earnings", "turnover", "money did we make", "did we make", "did we earn", "money we made", "we earned"], FinanceGroupings),
        new("arr", "ARR", MetricFamily.Finance, MetricUnit.Money,
            ["arr", "annual recurring revenue", "annual run rate", "run rate", "annual revenue", "yearly revenue"], FinanceGroupings),
        new("customers", "Paying customers", MetricFamily.Finance, MetricUnit.Count,
            ["paying customers", "customer count", "number of customers", "customers", "clients", "accounts", "logos"], [Month, Quarter, Product, Tier], Weak: true),
        new("new_customers", "New customers", MetricFamily.Finance, MetricUnit.Count,
            ["new customers", "new logos", "new clients", "new accounts", "customer acquisition", "acquired customers", "customers acquired", "customers did we win", "customers won", "signups", "sign ups", "new signups"], MonthlyOnly),
        new("churned_customers", "Churned customers", MetricFamily.Finance, MetricUnit.Count,
            ["churned customers", "lost customers", "customers lost", "customers churned", "customers did we lose", "customers cancelled", "cancelled customers", "cancellations", "churned"], MonthlyOnly),
        new("churn_rate", "Churn rate", MetricFamily.Finance, MetricUnit.Ratio,
            ["churn rate", "customer churn", "logo churn", "churn", "attrition", "attrition rate"], MonthlyOnly),
        new("net_revenue_retention", "Net revenue retention", MetricFamily.Finance, MetricUnit.Ratio,
            ["nrr", "net revenue retention", "net retention", "net dollar retention", "ndr"], MonthlyOnly),
        new("arpa", "Average revenue per account", MetricFamily.Finance, MetricUnit.Money,
            ["arpa", "arpu", "average revenue per account", "average revenue per customer", "average revenue per user", "revenue per customer"], MonthlyOnly),
        new("gross_margin", "Gross margin", MetricFamily.Finance, MetricUnit.Ratio,
            ["gross margin", "margin", "margins", "profitability"], MonthlyOnly),
        new("churn_risk", "Churn risk", MetricFamily.ChurnRisk, MetricUnit.Ratio,
            ["churn risk", "at risk", "risk of churning", "risk of churn", "likely to churn", "about to churn", "going to churn", "might churn", "could churn", "may churn", "will churn", "might leave", "may leave", "could leave", "will leave", "going to leave", "about to leave", "thinking of leaving", "risky customers", "danger of churning", "risk of leaving", "likely to leave", "likely to cancel"], [Customer]),
        new("cost", "Cost", MetricFamily.Cost, MetricUnit.Money,
            ["infrastructure cost", "infrastructure costs", "cloud costs", "cloud cost", "cost", "costs", "spend", "spending", "expenses", "expense", "cloud bill"], [Month, Quarter, Product, Category, Customer]),
        new("api_calls", "API calls", MetricFamily.Usage, MetricUnit.Count,
            ["api calls", "api requests", "api usage", "api traffic", "requests", "calls", "usage", "traffic"], [Day, Week, Month, Quarter, Customer]),
        new("bandwidth", "Bandwidth", MetricFamily.Usage, MetricUnit.Count,
            ["bandwidth", "data transfer", "egress", "bytes transferred"], [Day, Week, Month, Quarter, Customer]),
        new("members", "Members", MetricFamily.Members, MetricUnit.Count,
            ["members", "seats", "seat count", "users", "team members", "people", "headcount", "employees"], [Customer]),
        new("conversations", "Chatbot conversations", MetricFamily.ProductEvents, MetricUnit.Count,
            ["chatbot conversations", "bot conversations", "conversations", "chats", "chat sessions", "chatbot usage"], EventCounts, "chatbot.conversation_started"),
        new("resolved_conversations", "Resolved conversations", MetricFamily.ProductEvents, MetricUnit.Count,
            ["resolved conversations", "conversations resolved", "resolutions", "resolved chats"], EventCounts, "chatbot.conversation_resolved"),
        new("resolution_rate", "Resolution rate", MetricFamily.ProductEvents, MetricUnit.Ratio,
            ["resolution rate", "resolve rate", "self service rate", "deflection rate", "containment rate"], [Day, Week, Month, Quarter, Customer], "chatbot.conversation_resolved", "chatbot.conversation_started"),
        new("handoffs", "Hand-offs", MetricFamily.ProductEvents, MetricUnit.Count,
            ["handoffs", "hand offs", "handed off", "escalations", "human handoffs"], EventCounts, "chatbot.handed_off"),
        new("tickets", "Tickets created", MetricFamily.ProductEvents, MetricUnit.Count,
            ["support tickets", "tickets created", "tickets", "ticket", "cases"], EventCounts, "chatbot.ticket_created"),
        new("emails_sent", "Emails sent", MetricFamily.ProductEvents, MetricUnit.Count,
            ["emails sent", "sent emails", "email sends", "email volume", "emails", "sends"], EmailCounts, "email.sent"),
        new("emails_opened", "Emails opened", MetricFamily.ProductEvents, MetricUnit.Count,
            ["emails opened", "opened emails", "email opens", "opens"], EmailCounts, "email.opened"),
        new("emails_clicked", "Emails clicked", MetricFamily.ProductEvents, MetricUnit.Count,
            ["emails clicked", "clicked emails", "email clicks", "clicks"], EmailCounts, "email.clicked"),
        new("bounces", "Bounces", MetricFamily.ProductEvents, MetricUnit.Count,
            ["bounced emails", "emails bounced", "bounces"], EmailCounts, "email.bounced"),
        new("open_rate", "Open rate", MetricFamily.ProductEvents, MetricUnit.Ratio,
            ["email open rate", "open rate", "opening rate", "open rates", "email engagement", "engagement"], [Day, Week, Month, Quarter, Weekday, Hour, Customer], "email.opened", "email.sent"),
        new("click_rate", "Click rate", MetricFamily.ProductEvents, MetricUnit.Ratio,
            ["click rate", "click through rate", "clickthrough rate", "ctr", "click rates"], [Day, Week, Month, Quarter, Weekday, Hour, Customer], "email.clicked", "email.sent"),
        new("leads_enriched", "Leads enriched", MetricFamily.ProductEvents, MetricUnit.Count,
            ["enriched leads", "leads enriched", "lead enrichment", "leads", "lead"], EventCounts, "lead.enriched"),
        new("leads_contacted", "Leads contacted", MetricFamily.ProductEvents, MetricUnit.Count,
            ["leads contacted", "contacted leads", "outreach"], EventCounts, "lead.contacted"),
        new("lead_responses", "Lead responses", MetricFamily.ProductEvents, MetricUnit.Count,
            ["lead responses", "leads responded", "responses", "replies"], EventCounts, "lead.responded"),
        new("lead_response_rate", "Lead response rate", MetricFamily.ProductEvents, MetricUnit.Ratio,
            ["lead response rate", "response rate", "reply rate", "response rates"], [Day, Week, Month, Quarter, Customer], "lead.responded", "lead.contacted"),
    ];

    public static readonly FrozenDictionary<string, MetricDefinition> ByCode = Metrics.ToFrozenDictionary(m => m.Code, StringComparer.Ordinal);

    /// <summary>
    /// A word elsewhere in the question that narrows a metric: "conversations were resolved" is
    /// resolved conversations, "emails were opened" is opens.
    /// </summary>
    public static readonly IReadOnlyList<(string Metric, string Word, string Narrowed)> Qualifiers =
    [
        ("conversations", "resolved", "resolved_conversations"), ("conversations", "handed", "handoffs"), ("conversations", "escalated", "handoffs"),
        ("emails_sent", "opened", "emails_opened"), ("emails_sent", "clicked", "emails_clicked"), ("emails_sent", "bounced", "bounces"),
        ("leads_enriched", "contacted", "leads_contacted"), ("leads_enriched", "responded", "lead_responses"), ("leads_enriched", "replied", "lead_responses"),
        ("leads_enriched", "respond", "lead_responses"), ("leads_enriched", "reply", "lead_responses"), ("conversations", "resolve", "resolved_conversations"),
        ("customers", "lose", "churned_customers"), ("customers", "lost", "churned_customers"), ("customers", "left", "churned_customers"), ("customers", "cancel", "churned_customers"),
        ("customers", "signed", "new_customers"), ("customers", "joined", "new_customers"), ("customers", "gained", "new_customers"), ("customers", "won", "new_customers"),
        ("customers", "acquired", "new_customers"), ("customers", "added", "new_customers"),
    ];

    /// <summary>"What percentage / share / proportion of ..." turns a count into its rate.</summary>
    public static readonly IReadOnlyDictionary<string, string> RateOfCount = new Dictionary<string, string>
    {
        ["resolved_conversations"] = "resolution_rate",
        ["emails_opened"] = "open_rate",
        ["emails_clicked"] = "click_rate",
        ["lead_responses"] = "lead_response_rate",
    };

    public static readonly FrozenSet<string> RateWords = new[] { "percentage", "percent", "share", "proportion", "fraction", "ratio" }.ToFrozenSet();

    /// <summary>Words that name a dimension after "by", "per", "each", "across" or "which".</summary>
    public static readonly IReadOnlyList<(string Phrase, string Dimension)> DimensionPhrases =
    [
        ("day of the week", Weekday), ("day of week", Weekday), ("weekday", Weekday), ("weekdays", Weekday),
        ("time of day", Hour), ("hour of day", Hour), ("hour of the day", Hour), ("send time", Hour), ("hour", Hour), ("hours", Hour), ("hourly", Hour),
        ("day", Day), ("days", Day), ("daily", Day), ("date", Day),
        ("week", Week), ("weeks", Week), ("weekly", Week),
        ("month", Month), ("months", Month), ("monthly", Month),
        ("quarter", Quarter), ("quarters", Quarter), ("quarterly", Quarter),
        ("product", Product), ("products", Product),
        ("customer", Customer), ("customers", Customer), ("organization", Customer), ("organizations", Customer),
        ("org", Customer), ("orgs", Customer), ("account", Customer), ("accounts", Customer), ("tenant", Customer), ("tenants", Customer),
        ("client", Customer), ("clients", Customer),
        ("subscription tier", Tier), ("pricing tier", Tier), ("tier", Tier), ("tiers", Tier), ("plan", Tier), ("plans", Tier),
        ("cost category", Category), ("category", Category), ("categories", Category),
        ("event type", EventType), ("event types", EventType),
    ];

    public static readonly FrozenDictionary<string, string> Tiers = new Dictionary<string, string>
    {
        ["free"] = "free",
        ["basic"] = "basic",
        ["starter"] = "basic",
        ["pro"] = "pro",
        ["professional"] = "pro",
        ["enterprise"] = "enterprise",
    }.ToFrozenDictionary();

    public static readonly FrozenDictionary<string, string> Products = new Dictionary<string, string>
    {
        ["chatbot"] = "chatbot",
        ["bot"] = "chatbot",
        ["chat"] = "chatbot",
        ["email"] = "email",
        ["lead"] = "lead",
        ["enrichment"] = "lead",
    }.ToFrozenDictionary();

    /// <summary>Every word the parser understands: typos are corrected towards these, never towards anything else.</summary>
    public static readonly FrozenSet<string> Words = BuildWords();

    private static FrozenSet<string> BuildWords()
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        void Add(string phrase) { foreach (var w in phrase.Split(' ')) words.Add(w); }
        foreach (var m in Metrics) foreach (var p in m.Phrases) Add(p);
        foreach (var (p, _) in DimensionPhrases) Add(p);
        foreach (var w in Tiers.Keys) Add(w);
        foreach (var w in Products.Keys) Add(w);
        foreach (var w in QuestionCues.Words) Add(w);
        foreach (var w in TimeExpressions.Words) Add(w);
        foreach (var (_, w, _) in Qualifiers) Add(w);
        foreach (var w in RateWords) Add(w);
        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
