namespace Intelagent.Server.Billing.Metrics.Engine;

/// <summary>
/// Per-month sums that are additive over customers, in annual units (12 x MRR, reporting currency).
/// Because every figure here is a sum of per-customer contributions, one customer's history can be
/// taken out and put back (<see cref="MetricsEngine.Append"/>) without touching anyone else's.
/// </summary>
internal sealed class Aggregates(int months)
{
    public readonly decimal[] Units = new decimal[months];
    public readonly int[] Paying = new int[months];
    public readonly decimal[] NewUnits = new decimal[months];
    public readonly decimal[] ReactivationUnits = new decimal[months];
    public readonly decimal[] ExpansionUnits = new decimal[months];
    public readonly decimal[] ContractionUnits = new decimal[months];
    public readonly decimal[] ChurnUnits = new decimal[months];
    public readonly int[] NewCount = new int[months];
    public readonly int[] ReactivationCount = new int[months];
    public readonly int[] ExpansionCount = new int[months];
    public readonly int[] ContractionCount = new int[months];
    public readonly int[] ChurnCount = new int[months];
    public readonly Dimension Products = new(months);
    public readonly Dimension Tiers = new(months);
    public readonly Dimension Segments = new(months);
    public readonly Dictionary<int, CohortRow> Cohorts = [];
    public int MonthCount => Units.Length;

    public CohortRow Cohort(int monthIndex) =>
        Cohorts.TryGetValue(monthIndex, out var row) ? row : Cohorts[monthIndex] = new CohortRow(MonthCount - monthIndex);
}

/// <summary>MRR (annual units) and paying customers per key (a product, a tier, a segment) per month.</summary>
internal sealed class Dimension(int months)
{
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);
    public readonly List<string> Keys = [];
    public readonly List<decimal[]> Units = [];
    public readonly List<int[]> Customers = [];

    public int IndexOf(string key)
    {
        if (_index.TryGetValue(key, out var index)) return index;
        index = Keys.Count;
        _index[key] = index;
        Keys.Add(key);
        Units.Add(new decimal[months]);
        Customers.Add(new int[months]);
        return index;
    }

    public int? Find(string key) => _index.TryGetValue(key, out var index) ? index : null;
}

/// <summary>Customers whose first paying month is one month: how many still pay, and their MRR, n months later.</summary>
internal sealed class CohortRow(int length)
{
    public int Size;
    public decimal InitialUnits;
    public readonly int[] Customers = new int[length];
    public readonly decimal[] Units = new decimal[length];
}
