using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Jobs;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace Intelagent.Server.Billing.Payments;

/// <summary>Settles payments left <c>processing</c> by a process that died mid-call, every 15 minutes across the cluster.</summary>
[DisallowConcurrentExecution]
public sealed class PaymentSweepJob(ClusterJobGuard guard, PaymentSweeper sweeper) : IJob
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        if (!await guard.TryClaimAsync("payment-sweep", Interval, cancellationToken)) return;
        await sweeper.SweepAsync(cancellationToken);
    }
}

/// <summary>
/// A payment row is reserved before the processor is asked and updated with its answer; a crash
/// between the two leaves it <c>processing</c>, which blocks every other payment of the invoice.
/// The sweeper asks the processor what became of each such payment (its id is the processor's
/// idempotency key and metadata): a charge the processor made is applied as if the answer had
/// arrived; a payment the processor never saw is closed as interrupted, with nothing charged and
/// no dunning step counted, so the customer can pay again.
/// </summary>
public sealed class PaymentSweeper(AppDb db, IPaymentProvider provider, PaymentOutcomes outcomes, TimeProvider clock, ILogger<PaymentSweeper> logger)
{
    /// <summary>Long enough that no live request is still waiting for the processor, and for Stripe's search index to catch up.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(15);

    public const string InterruptedCode = "payment_interrupted";

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var cutoff = clock.GetUtcNow() - StuckAfter;
        var stuck = await db.Set<Payment>().IgnoreQueryFilters().AsNoTracking()
            .Where(p => p.Status == PaymentStatus.Processing && p.Provider == provider.Name && p.UpdatedAt < cutoff)
            .OrderBy(p => p.Id).Select(p => p.Id).Take(500).ToListAsync(cancellationToken);
        var (settled, interrupted) = (0, 0);
        foreach (var paymentId in stuck)
        {
            var charge = await provider.LookupAsync(paymentId, cancellationToken);
            if (charge is not null)
            {
                await outcomes.ApplyAndSaveAsync(paymentId, charge, null, null, cancellationToken);
                settled++;
            }
            else if (await CloseAsInterruptedAsync(paymentId, cancellationToken))
            {
                interrupted++;
            }
        }
        if (stuck.Count > 0)
            logger.LogWarning("Swept {Count} payments left processing: {Settled} settled from the processor, {Interrupted} closed as interrupted", stuck.Count, settled, interrupted);
        return new SweepResult(settled, interrupted);
    }

    private async Task<bool> CloseAsInterruptedAsync(string paymentId, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        var payment = await db.Set<Payment>().IgnoreQueryFilters().FirstOrDefaultAsync(p => p.Id == paymentId, cancellationToken);
        if (payment is null || payment.Status != PaymentStatus.Processing) return false;
        var invoice = await db.Set<Invoice>().IgnoreQueryFilters().FirstAsync(i => i.Id == payment.InvoiceId && i.OrganizationId == payment.OrganizationId, cancellationToken);
        payment.Status = PaymentStatus.Failed;
        payment.FailureCode = InterruptedCode;
        payment.FailureMessage = "The payment was interrupted before the processor charged it; nothing was charged. Please pay again.";
        payment.UpdatedAt = clock.GetUtcNow();
        payment.Version++;
        invoice.Version++;
        db.Raise(new PaymentFailed(payment.OrganizationId, payment.Id, payment.InvoiceId, payment.Amount, payment.Currency, payment.Attempt,
            payment.FailureCode, payment.FailureMessage, NextRetryAt: null, SubscriptionCanceled: false));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            Platform.Telemetry.PlatformMetrics.PaymentCompleted(succeeded: false);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            // A late answer or webhook settled it meanwhile; that answer wins.
            return false;
        }
    }
}

public sealed record SweepResult(int Settled, int Interrupted);
