using System.Net;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Platform.Ids;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Intelagent.Tests.Billing.PaymentsSupport;

namespace Intelagent.Tests.Billing;

public sealed class PaymentsSweeperTestsOnSqlite(PaymentsSqliteApp app) : PaymentsSweeperTests<PaymentsSqliteApp>(app);
public sealed class PaymentsSweeperTestsOnPostgres(PaymentsPostgresApp app) : PaymentsSweeperTests<PaymentsPostgresApp>(app);

/// <summary>A process that dies between reserving a payment and recording the processor's answer leaves it processing; the sweeper settles it.</summary>
public abstract class PaymentsSweeperTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<SweepResult> SweepAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<PaymentSweeper>().SweepAsync(CancellationToken.None);
    }

    /// <summary>What ChargeAsync writes before it asks the processor.</summary>
    private Task<string> ReserveAsync(string organizationId, string invoiceId) => app.WithDbAsync(async db =>
    {
        var now = db.Clock.GetUtcNow();
        var id = Id.New(IdPrefix.Payment, db.Clock);
        db.Set<Payment>().Add(new Payment
        {
            Id = id,
            OrganizationId = organizationId,
            InvoiceId = invoiceId,
            Amount = 49m,
            Currency = "USD",
            Status = PaymentStatus.Processing,
            Provider = "sandbox",
            IdempotencyKey = "crashed-" + id,
            Attempt = 1,
            CreatedAt = now,
            UpdatedAt = now,
        });
        await db.SaveChangesAsync();
        return id;
    }, organizationId);

    private Task<Payment> PaymentAsync(string organizationId, string id) =>
        app.WithDbAsync(db => db.Set<Payment>().AsNoTracking().SingleAsync(p => p.Id == id), organizationId);

    [Fact]
    public async Task Sweep_WhenTheProcessorNeverSawThePayment_ShouldCloseItAsInterruptedAndLetTheCustomerPayAgain()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 49m);
        var paymentId = await ReserveAsync(owner.OrganizationId, invoiceId);
        await Api.ExpectProblemAsync(await client.SendAsync(PayRequest(invoiceId, Card("4242424242424242"), "blocked")), HttpStatusCode.Conflict, "payment_in_progress");

        await SweepAsync();
        Assert.Equal(PaymentStatus.Processing, (await PaymentAsync(owner.OrganizationId, paymentId)).Status); // not stuck long enough yet

        app.Clock.Advance(PaymentSweeper.StuckAfter + TimeSpan.FromMinutes(1));
        await SweepAsync();
        var swept = await PaymentAsync(owner.OrganizationId, paymentId);
        Assert.Equal(PaymentStatus.Failed, swept.Status);
        Assert.Equal(PaymentSweeper.InterruptedCode, swept.FailureCode);
        // Nothing was charged, so it is no dunning step.
        Assert.False(await app.WithDbAsync(db => db.Set<DunningCase>().AnyAsync(c => c.InvoiceId == invoiceId), owner.OrganizationId));

        var again = await client.SendAsync(PayRequest(invoiceId, Card("4242424242424242"), "after-sweep"));
        await Api.ExpectAsync(again, HttpStatusCode.Created);
        Assert.Equal("succeeded", (await again.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(InvoiceStatus.Paid, await app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == invoiceId).Select(i => i.Status).SingleAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task Sweep_WhenTheProcessorChargedBeforeTheCrash_ShouldApplyTheChargeAndPayTheInvoice()
    {
        var owner = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 49m);
        var paymentId = await ReserveAsync(owner.OrganizationId, invoiceId);
        // The processor got the request (keyed by our payment id) and charged; our answer was lost.
        var sandbox = app.Services.GetRequiredService<SandboxPaymentProvider>();
        var charged = await sandbox.ChargeAsync(new ChargeRequest(4900, "USD", "pm_card_visa", paymentId, paymentId, invoiceId, owner.OrganizationId, false), CancellationToken.None);
        Assert.Equal(ChargeStatus.Succeeded, charged.Status);

        app.Clock.Advance(PaymentSweeper.StuckAfter + TimeSpan.FromMinutes(1));
        await SweepAsync();

        var payment = await PaymentAsync(owner.OrganizationId, paymentId);
        Assert.Equal(PaymentStatus.Succeeded, payment.Status);
        Assert.Equal(charged.ProviderPaymentId, payment.ProviderPaymentId);
        var invoice = await app.WithDbAsync(db => db.Set<Invoice>().AsNoTracking().SingleAsync(i => i.Id == invoiceId), owner.OrganizationId);
        Assert.Equal((InvoiceStatus.Paid, 49m), (invoice.Status, invoice.AmountPaid));
        Assert.Single(sandbox.Charges, c => c.PaymentId == paymentId); // applied, not charged a second time
    }
}
