using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>The import shape. Every field is nullable so a missing one is reported by position, not defaulted.</summary>
public sealed record ImportFile(
    List<ImportCustomer>? Customers,
    List<ImportSubscriptionEvent>? SubscriptionEvents,
    List<ImportCost>? Costs,
    List<ImportCash>? Cash,
    List<ImportAcquisitionSpend>? AcquisitionSpend,
    List<ImportFxRate>? FxRates);

public sealed record ImportCustomer(string? Id, string? Name, string? Segment, string? Country, DateTimeOffset? CreatedAt);

public sealed record ImportSubscriptionEvent(
    string? Id, string? CustomerId, string? SubscriptionId, string? Type, DateTimeOffset? At, string? Product, string? Tier,
    string? Interval, decimal? Amount, string? Currency, int? Quantity, decimal? DiscountPercent, DateTimeOffset? TrialEndsAt);

public sealed record ImportCost(string? Month, string? Category, string? Product, string? CustomerId, decimal? Amount, string? Currency);

public sealed record ImportCash(string? Month, decimal? Balance, string? Currency);

public sealed record ImportAcquisitionSpend(string? Month, decimal? Amount, string? Currency);

public sealed record ImportFxRate(string? Month, string? Currency, decimal? RateToReporting);

public sealed record ImportResult(
    int CustomersCreated, int CustomersExisting, int SubscriptionEventsImported, int SubscriptionEventsAlreadyPresent,
    int Costs, int CashBalances, int AcquisitionSpend, int FxRates);

/// <summary>Checks every row of a file and names the first bad fields by position (<c>subscriptionEvents[12].amount</c>).</summary>
internal sealed class ImportChecker(ISet<string> knownCustomers)
{
    private const int MaxErrors = 50;
    public readonly Dictionary<string, string[]> Errors = [];

    private void Fail(string field, string reason)
    {
        if (Errors.Count < MaxErrors) Errors.TryAdd(field, [reason]);
    }

    private void Text(string field, string? value, int max, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value)) { if (required) Fail(field, "is required."); }
        else if (value.Length > max) Fail(field, $"must be at most {max} characters.");
    }

    private void Currency(string field, string? value)
    {
        if (!Currencies.IsSupported(value)) Fail(field, $"must be a supported ISO 4217 currency code (got '{value}').");
    }

    private void MonthText(string field, string? value)
    {
        if (!Month.TryParse(value, out _)) Fail(field, "must be a month as yyyy-MM.");
    }

    public void Check(ImportFile file)
    {
        var customerIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (c, i) in (file.Customers ?? []).Select((c, i) => (c, i)))
        {
            var at = $"customers[{i}]";
            if (c is null) { Fail(at, "must be an object."); continue; }
            Text($"{at}.id", c.Id, 80);
            Text($"{at}.name", c.Name, 200);
            Text($"{at}.segment", c.Segment, 40, required: false);
            Text($"{at}.country", c.Country, 56, required: false);
            if (c.CreatedAt is null) Fail($"{at}.createdAt", "is required.");
            if (c.Id is not null && !customerIds.Add(c.Id)) Fail($"{at}.id", $"'{c.Id}' appears twice in the file.");
        }
        var eventIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (e, i) in (file.SubscriptionEvents ?? []).Select((e, i) => (e, i)))
        {
            var at = $"subscriptionEvents[{i}]";
            if (e is null) { Fail(at, "must be an object."); continue; }
            Text($"{at}.id", e.Id, 80);
            if (e.Id is not null && !eventIds.Add(e.Id)) Fail($"{at}.id", $"'{e.Id}' appears twice in the file.");
            Text($"{at}.customerId", e.CustomerId, 80);
            if (e.CustomerId is not null && !customerIds.Contains(e.CustomerId) && !knownCustomers.Contains(e.CustomerId))
                Fail($"{at}.customerId", $"'{e.CustomerId}' is neither in this file's customers nor imported before.");
            Text($"{at}.subscriptionId", e.SubscriptionId, 80);
            if (e.Type is not ("start" or "change" or "cancel")) Fail($"{at}.type", "must be start, change or cancel.");
            if (e.At is null) Fail($"{at}.at", "is required.");
            Text($"{at}.product", e.Product, 40);
            Text($"{at}.tier", e.Tier, 40);
            if (e.Interval is not ("month" or "year")) Fail($"{at}.interval", "must be month or year.");
            if (e.Amount is not >= 0m) Fail($"{at}.amount", "is required and must not be negative.");
            Currency($"{at}.currency", e.Currency);
            if (e.Quantity is < 0) Fail($"{at}.quantity", "must not be negative.");
            if (e.DiscountPercent is < 0m or > 100m) Fail($"{at}.discountPercent", "must be between 0 and 100.");
        }
        foreach (var (c, i) in (file.Costs ?? []).Select((c, i) => (c, i)))
        {
            var at = $"costs[{i}]";
            if (c is null) { Fail(at, "must be an object."); continue; }
            MonthText($"{at}.month", c.Month);
            if (!CostCategories.All.Contains(c.Category)) Fail($"{at}.category", "must be compute, storage, bandwidth or other.");
            Text($"{at}.product", c.Product, 40);
            if (c.CustomerId is not null && !customerIds.Contains(c.CustomerId) && !knownCustomers.Contains(c.CustomerId))
                Fail($"{at}.customerId", $"'{c.CustomerId}' is neither in this file's customers nor imported before.");
            if (c.Amount is not >= 0m) Fail($"{at}.amount", "is required and must not be negative.");
            Currency($"{at}.currency", c.Currency);
        }
        var cashMonths = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (c, i) in (file.Cash ?? []).Select((c, i) => (c, i)))
        {
            var at = $"cash[{i}]";
            if (c is null) { Fail(at, "must be an object."); continue; }
            MonthText($"{at}.month", c.Month);
            if (c.Month is not null && !cashMonths.Add(c.Month)) Fail($"{at}.month", $"{c.Month} has a balance twice in the file.");
            if (c.Balance is null) Fail($"{at}.balance", "is required.");
            Currency($"{at}.currency", c.Currency);
        }
        foreach (var (s, i) in (file.AcquisitionSpend ?? []).Select((s, i) => (s, i)))
        {
            var at = $"acquisitionSpend[{i}]";
            if (s is null) { Fail(at, "must be an object."); continue; }
            MonthText($"{at}.month", s.Month);
            if (s.Amount is not >= 0m) Fail($"{at}.amount", "is required and must not be negative.");
            Currency($"{at}.currency", s.Currency);
        }
        var rates = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (r, i) in (file.FxRates ?? []).Select((r, i) => (r, i)))
        {
            var at = $"fxRates[{i}]";
            if (r is null) { Fail(at, "must be an object."); continue; }
            MonthText($"{at}.month", r.Month);
            Currency($"{at}.currency", r.Currency);
            if (r.RateToReporting is not > 0m) Fail($"{at}.rateToReporting", "is required and must be positive.");
            if (!rates.Add($"{r.Month}|{r.Currency}")) Fail($"{at}.month", $"{r.Currency} has a rate for {r.Month} twice in the file.");
        }
    }
}
