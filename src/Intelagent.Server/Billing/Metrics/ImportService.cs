using System.Text.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>
/// Loads a company's history from elsewhere (the issue's JSON shape). The body is parsed from the
/// stream (never held as text), every row is checked before anything is written, and the whole file
/// is applied in one transaction, in batches, so a bad row leaves nothing behind. Rows that are
/// already there (by the import's own ids and keys) are left as they are: importing twice changes nothing.
/// </summary>
public sealed class ImportService(AppDb db, TimeProvider clock, MetricsCache cache)
{
    private const int BatchSize = 2000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Result<ImportResult>> ImportAsync(Stream body, CancellationToken cancellationToken)
    {
        ImportFile? file;
        try
        {
            file = await JsonSerializer.DeserializeAsync<ImportFile>(body, Json, cancellationToken);
        }
        catch (JsonException exception)
        {
            var position = (exception.Path ?? "$").TrimStart('$').TrimStart('.');
            return new Error(422, "import_invalid", $"The file is not valid import JSON at {(position.Length == 0 ? "the top level" : position)}.",
                new Dictionary<string, string[]> { [position.Length == 0 ? "file" : position] = ["has the wrong type or is malformed."] });
        }
        if (file is null) return Error.Unprocessable("import_invalid", "The file is empty.");

        var known = await db.Set<FinancialCustomer>().IgnoreQueryFilters().AsNoTracking().Where(c => c.ExternalId != null)
            .Select(c => new { c.ExternalId, c.OrganizationId }).ToDictionaryAsync(c => c.ExternalId!, c => c.OrganizationId, StringComparer.Ordinal, cancellationToken);
        var checker = new ImportChecker(known.Keys.ToHashSet(StringComparer.Ordinal));
        checker.Check(file);
        if (checker.Errors.Count > 0)
            return new Error(422, "import_invalid", $"The file has bad rows; nothing was imported. First: {checker.Errors.First().Key} {checker.Errors.First().Value[0]}", checker.Errors);

        var strategy = db.Database.CreateExecutionStrategy();
        var result = await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var customerMap = new Dictionary<string, string>(known, StringComparer.Ordinal);
            var (created, existing) = await CustomersAsync(file.Customers ?? [], customerMap, cancellationToken);
            var (imported, present) = await EventsAsync(file.SubscriptionEvents ?? [], customerMap, cancellationToken);
            var costs = await CostsAsync(file.Costs ?? [], customerMap, cancellationToken);
            var monthly = await MonthlyAsync(file, cancellationToken);
            var outcome = new ImportResult(created, existing, imported, present, costs, monthly.Cash, monthly.Spend, monthly.Rates);
            db.Audit("financial.imported", "financial_import", null, outcome);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return outcome;
        });
        cache.Invalidate();
        return result;
    }

    private async Task<(int Created, int Existing)> CustomersAsync(List<ImportCustomer> customers, Dictionary<string, string> map, CancellationToken cancellationToken)
    {
        var created = 0;
        var now = clock.GetUtcNow();
        foreach (var customer in customers)
        {
            if (map.ContainsKey(customer.Id!)) continue;
            var organization = new Organization
            {
                Id = Id.New(IdPrefix.Organization, clock),
                Name = customer.Name!.Trim(),
                SubscriptionTier = SubscriptionTier.Free,
                CreatedAt = customer.CreatedAt!.Value,
                UpdatedAt = now,
            };
            db.Organizations.Add(organization);
            db.Set<FinancialCustomer>().Add(new FinancialCustomer
            {
                OrganizationId = organization.Id,
                ExternalId = customer.Id,
                Segment = customer.Segment?.Trim(),
                Country = customer.Country?.Trim(),
                CreatedAt = now,
            });
            map[customer.Id!] = organization.Id;
            if (++created % BatchSize == 0) await FlushAsync(cancellationToken);
        }
        await FlushAsync(cancellationToken);
        return (created, customers.Count - created);
    }

    private async Task<(int Imported, int Present)> EventsAsync(List<ImportSubscriptionEvent> events, Dictionary<string, string> customers, CancellationToken cancellationToken)
    {
        var imported = 0;
        var now = clock.GetUtcNow();
        foreach (var chunk in events.Chunk(BatchSize))
        {
            var ids = chunk.Select(e => e.Id!).ToList();
            var present = (await db.Set<SubscriptionEvent>().IgnoreQueryFilters().AsNoTracking().Where(e => e.ExternalId != null && ids.Contains(e.ExternalId))
                .Select(e => e.ExternalId!).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
            foreach (var e in chunk.Where(e => !present.Contains(e.Id!)))
            {
                db.Set<SubscriptionEvent>().Add(new SubscriptionEvent
                {
                    Id = Id.New(IdPrefix.SubscriptionEvent, clock),
                    OrganizationId = customers[e.CustomerId!],
                    SubscriptionId = e.SubscriptionId!,
                    Type = Enum.Parse<SubscriptionEventType>(e.Type!, ignoreCase: true),
                    At = e.At!.Value.ToUniversalTime(),
                    Product = e.Product!.Trim(),
                    Tier = e.Tier!.Trim(),
                    Interval = Enum.Parse<BillingInterval>(e.Interval!, ignoreCase: true),
                    Amount = e.Amount!.Value,
                    Currency = e.Currency!,
                    Quantity = e.Quantity ?? 1,
                    DiscountPercent = e.DiscountPercent ?? 0m,
                    TrialEndsAt = e.TrialEndsAt?.ToUniversalTime(),
                    ExternalId = e.Id,
                    RecordedAt = now,
                });
                imported++;
            }
            await FlushAsync(cancellationToken);
        }
        return (imported, events.Count - imported);
    }

    private async Task<int> CostsAsync(List<ImportCost> costs, Dictionary<string, string> customers, CancellationToken cancellationToken)
    {
        // Rows with the same month, category, product and customer are one cost: their amounts add up.
        var grouped = costs.GroupBy(c => $"{c.Month}|{c.Category}|{c.Product!.Trim()}|{c.CustomerId}", StringComparer.Ordinal).ToList();
        var keys = grouped.Select(g => g.Key).ToList();
        var existing = await db.Set<CostEntry>().Where(c => c.ImportKey != null && keys.Contains(c.ImportKey)).ToDictionaryAsync(c => c.ImportKey!, StringComparer.Ordinal, cancellationToken);
        foreach (var group in grouped)
        {
            var first = group.First();
            var amount = group.Sum(c => c.Amount!.Value);
            if (existing.TryGetValue(group.Key, out var entry))
            {
                if (entry.Amount == amount && entry.Currency == first.Currency) continue;
                (entry.Amount, entry.Currency, entry.UpdatedAt) = (amount, first.Currency!, clock.GetUtcNow());
                continue;
            }
            db.Set<CostEntry>().Add(new CostEntry
            {
                Id = Id.New(IdPrefix.CostEntry, clock),
                Month = first.Month!,
                Category = first.Category!,
                Product = first.Product!.Trim(),
                OrganizationId = first.CustomerId is null ? null : customers[first.CustomerId],
                Amount = amount,
                Currency = first.Currency!,
                ImportKey = group.Key,
                CreatedAt = clock.GetUtcNow(),
                UpdatedAt = clock.GetUtcNow(),
            });
        }
        await FlushAsync(cancellationToken);
        return grouped.Count;
    }

    private async Task<(int Cash, int Spend, int Rates)> MonthlyAsync(ImportFile file, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var cash = await db.Set<CashBalance>().ToDictionaryAsync(c => c.Month, StringComparer.Ordinal, cancellationToken);
        foreach (var row in file.Cash ?? [])
        {
            if (!cash.TryGetValue(row.Month!, out var balance)) db.Set<CashBalance>().Add(cash[row.Month!] = balance = new CashBalance { Month = row.Month!, Currency = row.Currency! });
            if (balance.Balance == row.Balance!.Value && balance.Currency == row.Currency) continue;
            (balance.Balance, balance.Currency, balance.UpdatedAt) = (row.Balance!.Value, row.Currency!, now);
        }
        var spendRows = (file.AcquisitionSpend ?? []).GroupBy(s => (s.Month!, s.Currency!)).ToList();
        var spend = await db.Set<AcquisitionSpend>().ToDictionaryAsync(s => (s.Month, s.Currency), cancellationToken);
        foreach (var group in spendRows)
        {
            if (!spend.TryGetValue(group.Key, out var entry)) db.Set<AcquisitionSpend>().Add(spend[group.Key] = entry = new AcquisitionSpend { Month = group.Key.Item1, Currency = group.Key.Item2 });
            var amount = group.Sum(s => s.Amount!.Value);
            if (entry.Amount != amount) (entry.Amount, entry.UpdatedAt) = (amount, now);
        }
        var rates = await db.Set<ExchangeRate>().ToDictionaryAsync(r => (r.Month, r.Currency), cancellationToken);
        foreach (var row in file.FxRates ?? [])
        {
            var key = (row.Month!, row.Currency!);
            if (!rates.TryGetValue(key, out var rate)) db.Set<ExchangeRate>().Add(rates[key] = rate = new ExchangeRate { Month = row.Month!, Currency = row.Currency! });
            if (rate.RateToReporting != row.RateToReporting!.Value) (rate.RateToReporting, rate.UpdatedAt) = (row.RateToReporting!.Value, now);
        }
        await FlushAsync(cancellationToken);
        return ((file.Cash ?? []).Count, spendRows.Count, (file.FxRates ?? []).Count);
    }

    /// <summary>Writes a batch inside the open transaction and forgets it, so memory stays flat for large files.</summary>
    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
    }
}
