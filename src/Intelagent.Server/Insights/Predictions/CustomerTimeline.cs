using Intelagent.Server.Billing.Metrics.Engine;

namespace Intelagent.Server.Insights.Predictions;

/// <summary>
/// What one customer organization did in one calendar month: the inputs of the churn features.
/// <see cref="Mrr"/> is the month-end MRR in the customer's currency (zero once canceled);
/// <see cref="Seats"/> the seats paid for at month-end.
/// </summary>
public sealed record MonthActivity(
    long ApiCalls,
    int Seats,
    int ActiveUsers,
    int SignIns,
    int FailedPayments,
    int SucceededPayments,
    int Tickets,
    decimal Mrr);

/// <summary>
/// One customer's history month by month, from <see cref="FirstMonth"/> (index 0) to the last
/// observed month. Built from the database (<see cref="ChurnHistoryReader"/>) or directly by the
/// demo generator, so the model can be trained and evaluated without a database.
/// </summary>
public sealed record CustomerTimeline(
    string OrganizationId,
    string Name,
    string Segment,
    string Currency,
    Month FirstMonth,
    IReadOnlyList<MonthActivity> Months)
{
    public Month LastMonth => new(FirstMonth.Index + Months.Count - 1);

    public MonthActivity? At(Month month)
    {
        var index = month.Index - FirstMonth.Index;
        return index >= 0 && index < Months.Count ? Months[index] : null;
    }
}
