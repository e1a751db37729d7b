using Intelagent.Server.Billing.Kernel;

namespace Intelagent.Server.Billing.Metrics.Engine;

/// <summary>A calendar month in UTC as one integer (year x 12 + month - 1), so months index arrays.</summary>
public readonly record struct Month(int Index) : IComparable<Month>
{
    public int Year => Index / 12;
    public int Number => Index % 12 + 1;
    public DateTimeOffset Start => new(Year, Number, 1, 0, 0, 0, TimeSpan.Zero);
    /// <summary>The first instant of the next month: "end of month" is the state before it.</summary>
    public DateTimeOffset End => Next.Start;
    public Month Next => new(Index + 1);
    public Month Previous => new(Index - 1);

    public static Month Of(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return new(utc.Year * 12 + utc.Month - 1);
    }

    public static Month Of(int year, int month) => new(year * 12 + month - 1);

    public static bool TryParse(string? text, out Month month)
    {
        month = default;
        if (text is not { Length: 7 } || text[4] != '-') return false;
        if (!int.TryParse(text.AsSpan(0, 4), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var year)) return false;
        if (!int.TryParse(text.AsSpan(5, 2), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)) return false;
        if (year is < 1970 or > 9998 || number is < 1 or > 12) return false;
        month = Of(year, number);
        return true;
    }

    public int CompareTo(Month other) => Index.CompareTo(other.Index);
    public static bool operator <(Month a, Month b) => a.Index < b.Index;
    public static bool operator >(Month a, Month b) => a.Index > b.Index;
    public static bool operator <=(Month a, Month b) => a.Index <= b.Index;
    public static bool operator >=(Month a, Month b) => a.Index >= b.Index;
    public override string ToString() => $"{Year:D4}-{Number:D2}";
}

/// <summary>One ledger entry as the engine sees it: the subscription's full state from <see cref="At"/> on.</summary>
public sealed record LedgerEntry(
    string CustomerId, string SubscriptionId, SubscriptionEventType Type, DateTimeOffset At, string Product, string Tier,
    BillingInterval Interval, decimal Amount, string Currency, int Quantity, decimal DiscountPercent, DateTimeOffset? TrialEndsAt,
    long Sequence = 0)
{
    /// <summary>
    /// Twelve times the MRR in the entry's currency at the end of a month whose next month starts at
    /// <paramref name="monthEnd"/>. The engine counts in these "annual units" so that monthly and yearly
    /// plans add up exactly in decimal (a yearly plan's MRR is a twelfth, which decimal cannot hold exactly).
    /// The same rule as <see cref="SubscriptionEvent.MonthlyAmountAt"/> at the month's last instant.
    /// </summary>
    public decimal AnnualUnitsAt(DateTimeOffset monthEnd)
    {
        if (Type == SubscriptionEventType.Cancel || At >= monthEnd) return 0m;
        if (TrialEndsAt is { } trialEnd && trialEnd >= monthEnd) return 0m;
        var perInterval = Amount * Quantity * (1m - DiscountPercent / 100m);
        return Interval == BillingInterval.Year ? perInterval : perInterval * 12m;
    }
}

public sealed record CustomerInfo(string Id, string Segment);

public sealed record CostItem(Month Month, string Category, string Product, string? CustomerId, decimal Amount, string Currency);

public sealed record MonthAmount(Month Month, decimal Amount, string Currency);

public sealed record FxRate(Month Month, string Currency, decimal RateToReporting);

/// <summary>Metered usage of a customer in a month (any unit: only shares matter), for allocating shared costs.</summary>
public sealed record UsageWeight(Month Month, string CustomerId, decimal Weight);

/// <summary>Everything the engine needs; nothing else (no database inside).</summary>
public sealed record MetricsInput(
    IReadOnlyList<CustomerInfo> Customers,
    IReadOnlyList<LedgerEntry> Ledger,
    IReadOnlyList<CostItem> Costs,
    IReadOnlyList<MonthAmount> Cash,
    IReadOnlyList<MonthAmount> AcquisitionSpend,
    IReadOnlyList<FxRate> Rates,
    IReadOnlyList<UsageWeight>? Usage = null);
