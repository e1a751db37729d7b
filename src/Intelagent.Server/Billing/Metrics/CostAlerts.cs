using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Billing.Metrics;

/// <summary>
/// An operator's cost alert: a month's infrastructure cost (all of it, or one product's) above an
/// amount in the reporting currency, or risen by a percent over the month before.
/// </summary>
public sealed class CostAlertRule
{
    public required string Id { get; init; }
    /// <summary><c>threshold</c> or <c>rise</c>.</summary>
    public required string Kind { get; init; }
    [NoPersonalData("a product code")] public string? Product { get; init; }
    public decimal? Amount { get; init; }
    public decimal? Percent { get; init; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A rule that fired for a month: at most once per rule and month (unique), however often costs change.</summary>
[NotAudited]
public sealed class CostAlertFiring
{
    public long Id { get; init; }
    public required string RuleId { get; init; }
    public required string Month { get; init; }
    public decimal Cost { get; init; }
    public decimal? PreviousCost { get; init; }
    public required string Message { get; init; }
    public DateTimeOffset FiredAt { get; init; }
}

public sealed record CostAlertRequest(string? Kind, string? Product, decimal? Amount, decimal? Percent);

public sealed record CostAlertResponse(string Id, string Kind, string? Product, decimal? Amount, decimal? Percent, DateTimeOffset CreatedAt);

public sealed record CostAlertFiringResponse(string RuleId, string Month, decimal Cost, decimal? PreviousCost, string Message, DateTimeOffset FiredAt);

/// <summary>Keeps the rules and checks them against the metrics engine's cost figures; a firing emails every operator.</summary>
public sealed class CostAlertService(AppDb db, MetricsService metrics)
{
    public const int MaxRules = 50;

    public async Task<Result<CostAlertResponse>> CreateAsync(CostAlertRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .When(request.Kind is not ("threshold" or "rise"), "kind", "must be 'threshold' or 'rise'.")
            .When(request.Kind == "threshold" && request.Amount is not > 0, "amount", "must be more than 0 (in the reporting currency).")
            .Amount("amount", request.Amount)
            .When(request.Kind == "rise" && request.Percent is not (> 0 and <= 10_000), "percent", "must be more than 0 and at most 10000.")
            .OptionalText("product", request.Product, 40);
        if (validation.Failed) return validation.ToError();
        if (await db.Set<CostAlertRule>().CountAsync(cancellationToken) >= MaxRules) return Error.Unprocessable("too_many_rules", $"At most {MaxRules} cost alerts.");
        var rule = new CostAlertRule
        {
            Id = Id.New(IdPrefix.CostAlert, db.Clock),
            Kind = request.Kind!,
            Product = string.IsNullOrWhiteSpace(request.Product) ? null : request.Product.Trim(),
            Amount = request.Kind == "threshold" ? request.Amount : null,
            Percent = request.Kind == "rise" ? request.Percent : null,
            CreatedByUserId = db.Request.UserId!,
            CreatedAt = db.Clock.GetUtcNow(),
        };
        db.Set<CostAlertRule>().Add(rule);
        await db.SaveChangesAsync(cancellationToken);
        await CheckAsync(cancellationToken);
        return Describe(rule);
    }

    public async Task<IReadOnlyList<CostAlertResponse>> ListAsync(CancellationToken cancellationToken) =>
        (await db.Set<CostAlertRule>().AsNoTracking().OrderBy(r => r.Id).ToListAsync(cancellationToken)).Select(Describe).ToList();

    public async Task<Result<bool>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var deleted = await db.Set<CostAlertRule>().Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken);
        return deleted == 0 ? Error.NotFound("cost alert") : true;
    }

    public async Task<IReadOnlyList<CostAlertFiringResponse>> FiringsAsync(CancellationToken cancellationToken) =>
        await db.Set<CostAlertFiring>().AsNoTracking().OrderByDescending(f => f.Id).Take(200)
            .Select(f => new CostAlertFiringResponse(f.RuleId, f.Month, f.Cost, f.PreviousCost, f.Message, f.FiredAt)).ToListAsync(cancellationToken);

    /// <summary>Checks every rule against the current and previous month; called after costs change and by the report job.</summary>
    public async Task<int> CheckAsync(CancellationToken cancellationToken)
    {
        var rules = await db.Set<CostAlertRule>().AsNoTracking().ToListAsync(cancellationToken);
        if (rules.Count == 0) return 0;
        var engine = await metrics.EngineAsync(cancellationToken);
        var fired = 0;
        foreach (var month in (Month[])[metrics.CurrentMonth.Previous, metrics.CurrentMonth])
        {
            if (!engine.InRange(month)) continue;
            foreach (var rule in rules)
            {
                var cost = CostOf(engine, rule.Product, month);
                var previous = engine.InRange(month.Previous) ? CostOf(engine, rule.Product, month.Previous) : (decimal?)null;
                var what = rule.Product is null ? "Infrastructure cost" : $"The cost of {rule.Product}";
                string? message = rule.Kind switch
                {
                    "threshold" when cost > rule.Amount => $"{what} for {month} is {Currencies.Round(cost, Currencies.Reporting)} {Currencies.Reporting}, above the alert at {rule.Amount} {Currencies.Reporting}.",
                    "rise" when previous > 0 && (cost - previous.Value) / previous.Value * 100m >= rule.Percent =>
                        $"{what} for {month} rose {Math.Round((cost - previous.Value) / previous.Value * 100m, 1)}% over {month.Previous} ({Currencies.Round(previous.Value, Currencies.Reporting)} to {Currencies.Round(cost, Currencies.Reporting)} {Currencies.Reporting}).",
                    _ => null,
                };
                if (message is null || await db.Set<CostAlertFiring>().AnyAsync(f => f.RuleId == rule.Id && f.Month == month.ToString(), cancellationToken)) continue;
                db.Set<CostAlertFiring>().Add(new CostAlertFiring { RuleId = rule.Id, Month = month.ToString(), Cost = cost, PreviousCost = previous, Message = message, FiredAt = db.Clock.GetUtcNow() });
                foreach (var email in await db.Users.Where(u => u.IsPlatformOperator).Select(u => u.Email).ToListAsync(cancellationToken))
                    EmailOutbox.Queue(db, email, "Cost alert: " + month, message, "cost-alert");
                try
                {
                    await db.SaveChangesAsync(cancellationToken);
                    fired++;
                }
                catch (DbUpdateException)
                {
                    db.ChangeTracker.Clear(); // another node recorded this firing first
                }
            }
        }
        return fired;
    }

    private static decimal CostOf(MetricsEngine engine, string? product, Month month) =>
        product is null ? engine.Figures(month).InfrastructureCost : engine.ProductProfitabilityOf(month).Where(p => p.Product == product).Sum(p => p.Cost);

    private static CostAlertResponse Describe(CostAlertRule r) => new(r.Id, r.Kind, r.Product, r.Amount, r.Percent, r.CreatedAt);
}

internal sealed class CostAlertRuleConfiguration : IEntityTypeConfiguration<CostAlertRule>
{
    public void Configure(EntityTypeBuilder<CostAlertRule> builder)
    {
        builder.ToTable("CostAlertRules");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.Kind).HasMaxLength(20);
        builder.Property(e => e.Product).HasMaxLength(40);
        builder.Property(e => e.CreatedByUserId).HasMaxLength(40);
    }
}

internal sealed class CostAlertFiringConfiguration : IEntityTypeConfiguration<CostAlertFiring>
{
    public void Configure(EntityTypeBuilder<CostAlertFiring> builder)
    {
        builder.ToTable("CostAlertFirings");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.RuleId).HasMaxLength(40);
        builder.Property(e => e.Month).HasMaxLength(7);
        builder.Property(e => e.Message).HasMaxLength(500);
        builder.HasIndex(e => new { e.RuleId, e.Month }).IsUnique();
    }
}
