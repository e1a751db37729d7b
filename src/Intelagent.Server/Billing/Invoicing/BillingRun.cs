using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Billing.Invoicing;

public sealed record BillingRunResult(int Renewed, int TrialsEnded, int Canceled, int InvoicesIssued, int Skipped);

/// <summary>
/// Renews every subscription whose period has ended: applies a cancel at period end, ends a trial,
/// advances the period and issues that period's invoice, through the ledger. Each step of each
/// subscription is one transaction guarded twice: the subscription's version (a concurrent run that
/// loaded the same row fails its save) and the unique (subscription, period start) of invoices. A run
/// that loses either race skips that step, so two runs, in turn or at once, issue one invoice per period.
/// </summary>
public sealed class BillingRunService(AppDb db, InvoiceIssuer issuer, OrganizationBillingState state, ILogger<BillingRunService> logger)
{
    private const int BatchSize = 500;
    /// <summary>A subscription months behind catches up at most this many periods per run.</summary>
    private const int MaxPeriodsPerRun = 24;

    public async Task<BillingRunResult> RunAsync(CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        int renewed = 0, trialsEnded = 0, canceled = 0, issued = 0, skipped = 0;
        var due = await db.Set<Subscription>().IgnoreQueryFilters().AsNoTracking()
            .Where(s => s.Status != SubscriptionStatus.Canceled && s.CurrentPeriodEnd <= now)
            .OrderBy(s => s.Id).Select(s => s.Id).Take(BatchSize).ToListAsync(cancellationToken);
        foreach (var id in due)
        {
            for (var step = 0; step < MaxPeriodsPerRun; step++)
            {
                db.ChangeTracker.Clear();
                var subscription = await db.Set<Subscription>().IgnoreQueryFilters().FirstOrDefaultAsync(s => s.Id == id, cancellationToken);
                if (subscription is null || subscription.Status == SubscriptionStatus.Canceled || subscription.CurrentPeriodEnd > now) break;
                var outcome = await AdvanceAsync(subscription, cancellationToken);
                if (outcome is null)
                {
                    skipped++;
                    break;
                }
                switch (outcome.Value.Kind)
                {
                    case StepKind.Canceled: canceled++; break;
                    case StepKind.TrialEnded: trialsEnded++; renewed++; break;
                    default: renewed++; break;
                }
                if (outcome.Value.Invoiced) issued++;
            }
        }
        db.ChangeTracker.Clear();
        return new BillingRunResult(renewed, trialsEnded, canceled, issued, skipped);
    }

    private enum StepKind { Renewed, TrialEnded, Canceled }

    private async Task<(StepKind Kind, bool Invoiced)?> AdvanceAsync(Subscription subscription, CancellationToken cancellationToken)
    {
        var end = subscription.CurrentPeriodEnd;
        var ended = (subscription.CurrentPeriodStart, end);
        var kind = StepKind.Renewed;
        Invoice? invoice = null;
        if (subscription.CancelAtPeriodEnd)
        {
            subscription.Status = SubscriptionStatus.Canceled;
            subscription.CanceledAt = end;
            kind = StepKind.Canceled;
        }
        else
        {
            var wasTrial = subscription.Status == SubscriptionStatus.Trialing;
            if (wasTrial)
            {
                subscription.Status = SubscriptionStatus.Active;
                kind = StepKind.TrialEnded;
            }
            subscription.CurrentPeriodStart = end;
            subscription.CurrentPeriodEnd = Proration.AddInterval(end, subscription.Interval);
            var plan = await db.Set<Plan>().AsNoTracking().FirstOrDefaultAsync(p => p.Id == subscription.PlanId, cancellationToken);
            invoice = await PeriodInvoices.ForPeriodAsync(db, subscription, plan, wasTrial ? null : ended, cancellationToken);
            if (invoice is not null) db.Set<Invoice>().Add(invoice);
        }
        subscription.UpdatedAt = db.Clock.GetUtcNow();
        subscription.Version++;
        SubscriptionLedger.Append(db, subscription, kind == StepKind.Canceled ? SubscriptionEventType.Cancel : SubscriptionEventType.Change, end, db.Clock);
        var tierChanged = await state.StageTierAsync(subscription, cancellationToken);
        try
        {
            await issuer.SaveAndIssueAsync(invoice is null ? [] : [invoice], cancellationToken);
            state.AfterCommit(subscription.OrganizationId, tierChanged);
        }
        catch (DbUpdateException exception) when (exception is DbUpdateConcurrencyException || UniqueViolation.Is(exception))
        {
            // Another run renewed this period first: nothing of ours was committed.
            logger.LogInformation("Billing run: subscription {SubscriptionId} was renewed by another run", subscription.Id);
            return null;
        }
        return (kind, invoice is not null);
    }
}

/// <summary>The scheduled billing run: every 15 minutes, once across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class BillingRunJob(ClusterJobGuard guard, BillingRunService run) : IJob
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("billing-run", Interval, cancellationToken)) return;
        await run.RunAsync(cancellationToken);
    }
}
