using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Billing.Payments;

/// <summary>Runs the due dunning retries, once per hour across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class DunningJob(ClusterJobGuard guard, DunningRunner runner) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("payment-dunning", TimeSpan.FromHours(1), cancellationToken)) return;
        await runner.RunDueAsync(cancellationToken);
    }
}

/// <summary>
/// Retries each due dunning case with the organization's default payment method, off-session, in a
/// scope acting for that organization. The idempotency key names the case and the attempt, so a
/// second run (another node, a restart) never charges the same retry twice.
/// </summary>
public sealed class DunningRunner(AppDb db, IServiceScopeFactory scopes, TimeProvider clock, ILogger<DunningRunner> logger)
{
    public async Task<int> RunDueAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var due = await db.Set<DunningCase>().IgnoreQueryFilters()
            .Where(c => c.Status == DunningStatus.Active && c.NextAttemptAt != null && c.NextAttemptAt <= now)
            .OrderBy(c => c.Id).Select(c => new { c.Id, c.OrganizationId }).Take(1000).ToListAsync(cancellationToken);
        foreach (var dunningCase in due)
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<RequestContext>().SetTenant(dunningCase.OrganizationId, null);
            await RetryAsync(scope.ServiceProvider, dunningCase.Id, cancellationToken);
        }
        return due.Count;
    }

    private async Task RetryAsync(IServiceProvider services, string caseId, CancellationToken cancellationToken)
    {
        var scoped = services.GetRequiredService<AppDb>();
        var dunningCase = await scoped.Set<DunningCase>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == caseId, cancellationToken);
        if (dunningCase is null) return;
        var attempt = dunningCase.Failures + 1;
        var key = $"dunning:{dunningCase.Id}:{attempt}";
        var method = await services.GetRequiredService<PaymentMethodService>().DefaultAsync(cancellationToken);
        // No saved method: the retry fails as a card would, so the schedule still moves on to cancellation.
        var token = method?.Token ?? "pm_missing";
        var result = await services.GetRequiredService<PaymentService>().ChargeAsync(dunningCase.InvoiceId, token, method?.Id, key, attempt, offSession: true, cancellationToken);
        if (!result.IsSuccess)
        {
            logger.LogInformation("Dunning retry of {InvoiceId} skipped: {Code}", dunningCase.InvoiceId, result.Error!.Code);
            if (result.Error.Code is "invoice_already_paid" or "invoice_void" or "invoice_nothing_due") await CloseAsync(scoped, caseId, cancellationToken);
        }
    }

    /// <summary>The invoice was settled another way (or voided): nothing left to collect.</summary>
    private static async Task CloseAsync(AppDb scoped, string caseId, CancellationToken cancellationToken)
    {
        scoped.ChangeTracker.Clear();
        var dunningCase = await scoped.Set<DunningCase>().FirstAsync(c => c.Id == caseId, cancellationToken);
        dunningCase.Status = DunningStatus.Recovered;
        dunningCase.NextAttemptAt = null;
        dunningCase.UpdatedAt = scoped.Clock.GetUtcNow();
        dunningCase.Version++;
        await scoped.SaveChangesAsync(cancellationToken);
    }
}
