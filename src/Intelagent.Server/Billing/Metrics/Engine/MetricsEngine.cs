using Intelagent.Server.Billing.Kernel;

namespace Intelagent.Server.Billing.Metrics.Engine;

/// <summary>
/// The financial-metrics engine: pure, in memory, no database. It replays each customer's ledger
/// once, month by month, and adds that customer's month-end MRR, movement, breakdown and cohort
/// contributions into per-month sums (<see cref="Aggregates"/>). Ratios are derived from those sums
/// on demand (<see cref="MonthFigures"/>). A new ledger entry only re-plays its own customer: the
/// old contribution is subtracted, the new one added, exactly (decimal sums), so one month's figures
/// after an event cost microseconds, not a recomputation of everyone.
/// </summary>
public sealed partial class MetricsEngine
{
    private readonly Dictionary<string, CustomerHistory> _customers = new(StringComparer.Ordinal);
    private readonly Aggregates _sums;
    private readonly Dictionary<string, decimal[]> _rates = new(StringComparer.Ordinal);
    private readonly HashSet<string> _currenciesWithoutRate = new(StringComparer.Ordinal);
    private readonly MetricsInput _input;
    private readonly decimal[] _costs;
    private readonly decimal?[] _cash;
    private readonly decimal[] _acquisition;

    public Month First { get; }
    public Month Last { get; }
    public int MonthCount => Last.Index - First.Index + 1;
    public IReadOnlyCollection<string> CurrenciesWithoutRate => _currenciesWithoutRate;

    /// <param name="through">The last month to compute (usually the current month); the range starts at the earliest month in the input.</param>
    public MetricsEngine(MetricsInput input, Month through)
    {
        _input = input;
        var first = through;
        foreach (var entry in input.Ledger) if (Month.Of(entry.At) < first) first = Month.Of(entry.At);
        foreach (var cost in input.Costs) if (cost.Month < first) first = cost.Month;
        foreach (var cash in input.Cash) if (cash.Month < first) first = cash.Month;
        foreach (var spend in input.AcquisitionSpend) if (spend.Month < first) first = spend.Month;
        var last = through;
        foreach (var entry in input.Ledger) if (Month.Of(entry.At) > last) last = Month.Of(entry.At);
        (First, Last) = (first, last);
        _sums = new Aggregates(MonthCount);
        BuildRates(input.Rates);

        foreach (var customer in input.Customers)
            _customers[customer.Id] = new CustomerHistory(customer.Segment);
        foreach (var group in input.Ledger.GroupBy(e => e.CustomerId, StringComparer.Ordinal))
        {
            var history = Customer(group.Key);
            history.Entries.AddRange(group);
            history.Entries.Sort(LedgerOrder.Instance);
        }
        foreach (var history in _customers.Values) Replay(history, +1);

        _costs = new decimal[MonthCount];
        foreach (var cost in input.Costs) if (InRange(cost.Month)) _costs[cost.Month.Index - First.Index] += ToReporting(cost.Amount, cost.Currency, cost.Month);
        _cash = new decimal?[MonthCount];
        foreach (var cash in input.Cash) if (InRange(cash.Month)) _cash[cash.Month.Index - First.Index] = (_cash[cash.Month.Index - First.Index] ?? 0m) + ToReporting(cash.Amount, cash.Currency, cash.Month);
        _acquisition = new decimal[MonthCount];
        foreach (var spend in input.AcquisitionSpend) if (InRange(spend.Month)) _acquisition[spend.Month.Index - First.Index] += ToReporting(spend.Amount, spend.Currency, spend.Month);
    }

    public bool InRange(Month month) => month >= First && month <= Last;

    /// <summary>
    /// Adds one ledger entry and updates every month's figures from its month on. False when the
    /// entry falls outside the computed range or names a currency without a rate: then build a new engine.
    /// </summary>
    public bool Append(LedgerEntry entry)
    {
        if (!InRange(Month.Of(entry.At)) || RateOf(entry.Currency, Month.Of(entry.At)) == 0m) return false;
        var history = Customer(entry.CustomerId);
        Replay(history, -1);
        var position = history.Entries.BinarySearch(entry, LedgerOrder.Instance);
        history.Entries.Insert(position < 0 ? ~position : position, entry);
        Replay(history, +1);
        return true;
    }

    private CustomerHistory Customer(string id)
    {
        if (!_customers.TryGetValue(id, out var history)) _customers[id] = history = new CustomerHistory(MetricsDefaults.UnknownSegment);
        return history;
    }

    /// <summary>Adds (sign +1) or removes (sign -1) one customer's contributions to every month.</summary>
    private void Replay(CustomerHistory history, int sign)
    {
        var entries = history.Entries;
        if (entries.Count == 0) return;
        var state = new List<ActiveState>(4);
        var present = new List<int>(4);
        var segment = _sums.Segments.IndexOf(history.Segment);
        var next = 0;
        var previous = 0m;
        var everPaid = false;
        var cohort = -1;
        for (var m = Math.Max(0, Month.Of(entries[0].At).Index - First.Index); m < MonthCount; m++)
        {
            var end = new Month(First.Index + m).End;
            var endTicks = end.UtcTicks;
            while (next < entries.Count && entries[next].At < end) Apply(state, entries[next++]);
            var current = 0m;
            present.Clear();
            foreach (var subscription in state)
            {
                // The same rule as LedgerEntry.AnnualUnitsAt, with the per-entry arithmetic done once in Apply.
                if (subscription.NativeUnits == 0m || subscription.TrialEndTicks >= endTicks) continue;
                var units = subscription.Rates is null ? subscription.NativeUnits : subscription.NativeUnits * subscription.Rates[m];
                if (units == 0m) continue;
                current += units;
                _sums.Products.Units[subscription.Product][m] += sign * units;
                _sums.Tiers.Units[subscription.Tier][m] += sign * units;
                if (!present.Contains(subscription.Product)) { present.Add(subscription.Product); _sums.Products.Customers[subscription.Product][m] += sign; }
                if (!present.Contains(~subscription.Tier)) { present.Add(~subscription.Tier); _sums.Tiers.Customers[subscription.Tier][m] += sign; }
            }
            Record(m, sign, segment, previous, current, everPaid);
            if (current > 0m && cohort < 0)
            {
                cohort = m;
                var row = _sums.Cohort(m);
                row.Size += sign;
                row.InitialUnits += sign * current;
            }
            if (cohort >= 0 && current > 0m)
            {
                var row = _sums.Cohort(cohort);
                row.Customers[m - cohort] += sign;
                row.Units[m - cohort] += sign * current;
            }
            everPaid |= current > 0m;
            previous = current;
            // Nothing more can change for a customer whose subscriptions are all canceled and who has no later entries.
            if (next == entries.Count && current == 0m && state.TrueForAll(s => s.NativeUnits == 0m)) break;
        }
    }

    /// <summary>A subscription's state as the replay needs it: annual units in its currency, computed once per entry.</summary>
    private readonly record struct ActiveState(string SubscriptionId, decimal NativeUnits, long TrialEndTicks, decimal[]? Rates, int Product, int Tier);

    private void Apply(List<ActiveState> state, LedgerEntry entry)
    {
        var units = entry.Type == Kernel.SubscriptionEventType.Cancel ? 0m : entry.AnnualUnitsAt(DateTimeOffset.MaxValue);
        decimal[]? rates = null;
        if (entry.Currency != Currencies.Reporting && !_rates.TryGetValue(entry.Currency, out rates)) units = 0m;
        var active = new ActiveState(entry.SubscriptionId, units, entry.TrialEndsAt?.UtcTicks ?? long.MinValue, rates,
            _sums.Products.IndexOf(entry.Product), _sums.Tiers.IndexOf(entry.Tier));
        for (var i = 0; i < state.Count; i++)
        {
            if (state[i].SubscriptionId != entry.SubscriptionId) continue;
            state[i] = active;
            return;
        }
        state.Add(active);
    }

    private void Record(int m, int sign, int segment, decimal previous, decimal current, bool everPaid)
    {
        var sums = _sums;
        if (current > 0m)
        {
            sums.Units[m] += sign * current;
            sums.Paying[m] += sign;
            sums.Segments.Units[segment][m] += sign * current;
            sums.Segments.Customers[segment][m] += sign;
        }
        if (previous == 0m && current > 0m)
        {
            if (everPaid) { sums.ReactivationUnits[m] += sign * current; sums.ReactivationCount[m] += sign; }
            else { sums.NewUnits[m] += sign * current; sums.NewCount[m] += sign; }
        }
        else if (previous > 0m && current == 0m) { sums.ChurnUnits[m] += sign * previous; sums.ChurnCount[m] += sign; }
        else if (current > previous) { sums.ExpansionUnits[m] += sign * (current - previous); sums.ExpansionCount[m] += sign; }
        else if (current < previous) { sums.ContractionUnits[m] += sign * (previous - current); sums.ContractionCount[m] += sign; }
    }

    private void BuildRates(IReadOnlyList<FxRate> rates)
    {
        foreach (var byCurrency in rates.GroupBy(r => r.Currency, StringComparer.Ordinal))
        {
            if (byCurrency.Key == Currencies.Reporting) continue;
            var known = byCurrency.OrderBy(r => r.Month).ToList();
            var series = new decimal[MonthCount];
            var cursor = 0;
            // The month's rate, else the latest earlier month's, else (before the first rate) the first rate.
            var rate = known[0].RateToReporting;
            for (var m = 0; m < MonthCount; m++)
            {
                while (cursor < known.Count && known[cursor].Month.Index <= First.Index + m) rate = known[cursor++].RateToReporting;
                series[m] = rate;
            }
            _rates[byCurrency.Key] = series;
        }
        foreach (var entry in _input.Ledger)
            if (entry.Currency != Currencies.Reporting && !_rates.ContainsKey(entry.Currency)) _currenciesWithoutRate.Add(entry.Currency);
    }

    /// <summary>The rate the engine uses for a currency in a month (1 for the reporting currency, 0 when unknown).</summary>
    public decimal RateOf(string currency, Month month)
    {
        if (currency == Currencies.Reporting) return 1m;
        if (!InRange(month) || !_rates.TryGetValue(currency, out var series)) return 0m;
        return series[month.Index - First.Index];
    }

    private decimal ToReporting(decimal amount, string currency, Month month)
    {
        var rate = RateOf(currency, month);
        if (rate == 0m && currency != Currencies.Reporting) _currenciesWithoutRate.Add(currency);
        return amount * rate;
    }

    private sealed class CustomerHistory(string segment)
    {
        public string Segment { get; } = segment;
        public List<LedgerEntry> Entries { get; } = [];
    }

    /// <summary>By time; at the same instant a cancel comes last, then the ledger's own order.</summary>
    private sealed class LedgerOrder : IComparer<LedgerEntry>
    {
        public static readonly LedgerOrder Instance = new();

        public int Compare(LedgerEntry? x, LedgerEntry? y)
        {
            var byTime = x!.At.UtcTicks.CompareTo(y!.At.UtcTicks);
            if (byTime != 0) return byTime;
            var byCancel = (x.Type == SubscriptionEventType.Cancel).CompareTo(y.Type == SubscriptionEventType.Cancel);
            return byCancel != 0 ? byCancel : x.Sequence.CompareTo(y.Sequence);
        }
    }
}

public static class MetricsDefaults
{
    public const string UnknownSegment = "unassigned";
}
