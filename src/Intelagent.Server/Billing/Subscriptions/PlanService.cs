using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Billing.Subscriptions;

/// <summary>The catalogue: the operator manages plans; a tenant sees the catalogue and its own custom plans.</summary>
public sealed class PlanService(AppDb db)
{
    /// <summary>A plan the organization may subscribe to now: not archived, and either public or its own.</summary>
    public static Task<Plan?> AvailableAsync(AppDb db, string planId, string organizationId, CancellationToken cancellationToken) =>
        db.Set<Plan>().FirstOrDefaultAsync(p => p.Id == planId && !p.Archived && (p.OrganizationId == null || p.OrganizationId == organizationId), cancellationToken);

    public async Task<IReadOnlyList<PlanResponse>> ForTenantAsync(string organizationId, string? product, CancellationToken cancellationToken)
    {
        var query = db.Set<Plan>().AsNoTracking().Where(p => !p.Archived && (p.OrganizationId == null || p.OrganizationId == organizationId));
        if (product is not null) query = query.Where(p => p.Product == product);
        return (await query.OrderBy(p => p.Id).ToListAsync(cancellationToken)).Select(PlanResponse.From).ToList();
    }

    public Task<Page<PlanResponse>> ListAcrossTenantsAsync(PageRequest page, string? organizationId, string? product, bool includeArchived,
        CancellationToken cancellationToken)
    {
        var query = db.Set<Plan>().AsNoTracking();
        if (organizationId is not null) query = query.Where(p => p.OrganizationId == organizationId);
        if (product is not null) query = query.Where(p => p.Product == product);
        if (!includeArchived) query = query.Where(p => !p.Archived);
        return query.OrderBy(p => p.Id).ToPageAsync(page, (q, after) => q.Where(p => string.Compare(p.Id, after) > 0), p => p.Id, PlanResponse.From, cancellationToken);
    }

    public Task<Plan?> FindAsync(string id, CancellationToken cancellationToken) => db.Set<Plan>().FirstOrDefaultAsync(p => p.Id == id, cancellationToken);

    public async Task<Result<Plan>> CreateAsync(CreatePlanRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().RequiredText("name", request.Name, 100)
            .When(request.Product is null || !Products.All.Contains(request.Product), "product", "must be one of " + string.Join(", ", Products.All) + ".")
            .When(request.Tier is null, "tier", "is required: free, basic, pro or enterprise.")
            .When(request.Interval is null, "interval", "is required: month or year.")
            .When(request.UnitAmount is null or < 0m or > 1_000_000m, "unitAmount", "must be between 0 and 1,000,000.")
            .When(!Currencies.IsSupported(request.Currency ?? Currencies.Reporting), "currency", "is not a supported ISO 4217 code.")
            .When(request.TrialDays is < 0 or > 365, "trialDays", "must be between 0 and 365.")
            .When(request.IncludedQuotas?.Any(q => q.Value < 0 || q.Key.Length is 0 or > 40) == true, "includedQuotas", "must map metric names to non-negative quantities.")
            .When(request.OveragePrices?.Any(q => q.Value < 0m || q.Key.Length is 0 or > 40) == true, "overagePrices", "must map metric names to non-negative prices.");
        if (validation.Failed) return validation.ToError();
        var currency = request.Currency ?? Currencies.Reporting;
        if (decimal.Round(request.UnitAmount!.Value, Currencies.MinorUnitsOf(currency)) != request.UnitAmount)
            return Error.Validation("unitAmount", $"has more decimals than {currency} allows.");
        if (request.OrganizationId is not null && !await db.Organizations.IgnoreQueryFilters().AnyAsync(o => o.Id == request.OrganizationId, cancellationToken))
            return Error.Validation("organizationId", "is not an organization.");
        var plan = new Plan
        {
            Id = Id.New(IdPrefix.Plan, db.Clock),
            Product = request.Product!,
            Tier = request.Tier!.Value,
            Name = request.Name!.Trim(),
            Interval = request.Interval!.Value,
            UnitAmount = request.UnitAmount.Value,
            Currency = currency,
            TrialDays = request.TrialDays ?? 0,
            IncludedQuotas = request.IncludedQuotas ?? [],
            OveragePrices = request.OveragePrices ?? [],
            OrganizationId = request.OrganizationId,
            CreatedAt = db.Clock.GetUtcNow(),
            Version = 1,
        };
        db.Set<Plan>().Add(plan);
        await db.SaveChangesAsync(cancellationToken);
        return plan;
    }

    public async Task<Result<Plan>> UpdateAsync(string id, UpdatePlanRequest request, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var validation = new Validation().OptionalText("name", request.Name, 100);
        if (validation.Failed) return validation.ToError();
        var plan = await FindAsync(id, cancellationToken);
        if (plan is null) return Error.NotFound("plan");
        if (!ifMatch(plan.Version)) return Error.Stale("plan");
        if (request.Name is not null) plan.Name = request.Name.Trim();
        if (request.Archived is { } archived) plan.Archived = archived;
        plan.Version++;
        await db.SaveChangesAsync(cancellationToken);
        return plan;
    }
}
