using Intelagent.Server.Billing.Metrics.Engine;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>One customer at one month-end: its features, and (for training) whether it canceled within the horizon.</summary>
public sealed record ChurnExample(string OrganizationId, Month At, double[] Features, bool Canceled);

/// <summary>
/// The features of a customer at a month-end, and the label, from its <see cref="CustomerTimeline"/>
/// alone (docs/decisions/020). Each feature looks back at most three months, so an example at month
/// T uses nothing after T: the label (a cancel in T+1..T+horizon) is never leaked into the features.
/// </summary>
public static class ChurnFeatures
{
    /// <summary>A cancel within this many months after the month-end counts as churn.</summary>
    public const int HorizonMonths = 3;

    /// <summary>Months of history a customer needs before it gets a score (the usage trend compares with two earlier months).</summary>
    public const int MinimumTenureMonths = 3;

    public static readonly string[] Names =
        ["usage_trend", "seat_use", "failed_payments", "sign_ins_per_seat", "ticket_trend", "tenure_months"];

    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        ["usage_trend"] = "API usage this month against the two months before (log ratio)",
        ["seat_use"] = "Share of paid seats whose users signed in this month",
        ["failed_payments"] = "Failed payments in the last three months",
        ["sign_ins_per_seat"] = "Sign-ins this month per paid seat",
        ["ticket_trend"] = "Chatbot tickets this month against the two months before (log ratio)",
        ["tenure_months"] = "Months since the customer's first month",
    };

    /// <summary>The features at the end of month <paramref name="index"/> of the timeline; null when the customer was not paying then or is too new.</summary>
    public static double[]? At(CustomerTimeline customer, int index)
    {
        if (index < MinimumTenureMonths - 1 || index >= customer.Months.Count) return null;
        var now = customer.Months[index];
        if (now.Mrr <= 0m) return null;
        var before1 = customer.Months[index - 1];
        var before2 = customer.Months[index - 2];
        var seats = Math.Max(1, now.Seats);
        return
        [
            LogRatio(now.ApiCalls, (before1.ApiCalls + before2.ApiCalls) / 2.0),
            Math.Min(1.0, now.ActiveUsers / (double)seats),
            now.FailedPayments + before1.FailedPayments + before2.FailedPayments,
            now.SignIns / (double)seats,
            LogRatio(now.Tickets, (before1.Tickets + before2.Tickets) / 2.0),
            index,
        ];
    }

    /// <summary>
    /// Every (customer, month-end) whose label is fully observed: paying at T and followed by
    /// <see cref="HorizonMonths"/> observed months up to <paramref name="lastObserved"/>.
    /// Canceled = paying nothing at the end of any of those months.
    /// </summary>
    public static List<ChurnExample> TrainingExamples(IEnumerable<CustomerTimeline> customers, Month lastObserved)
    {
        var examples = new List<ChurnExample>();
        foreach (var customer in customers)
        {
            var lastLabeled = Math.Min(customer.Months.Count - 1, lastObserved.Index - customer.FirstMonth.Index) - HorizonMonths;
            for (var t = 0; t <= lastLabeled; t++)
            {
                if (At(customer, t) is not { } features) continue;
                var canceled = false;
                for (var k = 1; k <= HorizonMonths && !canceled; k++) canceled = customer.Months[t + k].Mrr <= 0m;
                examples.Add(new ChurnExample(customer.OrganizationId, new Month(customer.FirstMonth.Index + t), features, canceled));
            }
        }
        return examples;
    }

    /// <summary>The customers paying at the end of <paramref name="month"/>, with their features then.</summary>
    public static List<(CustomerTimeline Customer, double[] Features)> Current(IEnumerable<CustomerTimeline> customers, Month month)
    {
        var current = new List<(CustomerTimeline, double[])>();
        foreach (var customer in customers)
            if (At(customer, month.Index - customer.FirstMonth.Index) is { } features) current.Add((customer, features));
        return current;
    }

    /// <summary>ln((a + 1) / (b + 1)): symmetric, defined at zero, and 0 when nothing changed.</summary>
    private static double LogRatio(double current, double before) => Math.Log((current + 1.0) / (before + 1.0));
}
