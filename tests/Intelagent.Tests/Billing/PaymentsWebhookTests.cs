using System.Net;
using System.Text;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Payments;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Intelagent.Tests.Billing.PaymentsSupport;

namespace Intelagent.Tests.Billing;

public sealed class PaymentsWebhookTestsOnSqlite(PaymentsSqliteApp app) : PaymentsWebhookTests<PaymentsSqliteApp>(app);
public sealed class PaymentsWebhookTestsOnPostgres(PaymentsPostgresApp app) : PaymentsWebhookTests<PaymentsPostgresApp>(app);

/// <summary>Webhooks signed the way Stripe signs them, against payments made through the sandbox.</summary>
public abstract class PaymentsWebhookTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private long Now => app.Clock.GetUtcNow().ToUnixTimeSeconds();

    private static string EventId() => "evt_" + Guid.NewGuid().ToString("N");

    private Task<HttpResponseMessage> SendAsync(string payload, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/financial/webhooks/stripe") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        if (signature is not null) request.Headers.Add("Stripe-Signature", signature);
        return app.Anonymous().SendAsync(request);
    }

    /// <summary>A payment waiting for authentication, and its PaymentIntent id at the provider.</summary>
    private async Task<(Account Owner, Payment Payment)> WaitingPaymentAsync(decimal amount = 20m)
    {
        var owner = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, amount);
        var response = await app.WithToken(owner.Token).SendAsync(PayRequest(invoiceId, new { token = "pm_card_authenticationRequired" }, "webhook"));
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var id = (await response.JsonAsync()).GetProperty("id").GetString()!;
        return (owner, await app.WithDbAsync(db => db.Set<Payment>().SingleAsync(p => p.Id == id), owner.OrganizationId));
    }

    private Task<Payment> ReloadAsync(Payment payment) => app.WithDbAsync(db => db.Set<Payment>().SingleAsync(p => p.Id == payment.Id), payment.OrganizationId);

    private Task<InvoiceStatus> InvoiceStatusAsync(Payment payment) =>
        app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == payment.InvoiceId).Select(i => i.Status).SingleAsync(), payment.OrganizationId);

    [Fact]
    public async Task Webhook_SignedSucceededEvent_ShouldPayThePaymentAndItsInvoice()
    {
        var (_, payment) = await WaitingPaymentAsync();
        var payload = IntentEvent(EventId(), "payment_intent.succeeded", Now, payment.ProviderPaymentId!, "succeeded", 2000);

        var response = await SendAsync(payload, Sign(payload, Now));

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal("applied", (await response.JsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal(PaymentStatus.Succeeded, (await ReloadAsync(payment)).Status);
        Assert.Equal(InvoiceStatus.Paid, await InvoiceStatusAsync(payment));
    }

    [Fact]
    public async Task Webhook_TamperedPayload_ShouldBe400AndChangeNothing()
    {
        var (_, payment) = await WaitingPaymentAsync();
        var payload = IntentEvent(EventId(), "payment_intent.payment_failed", Now, payment.ProviderPaymentId!, "requires_payment_method", 2000, "card_declined");
        var signature = Sign(payload, Now);
        var tampered = payload.Replace("payment_intent.payment_failed", "payment_intent.succeeded").Replace("requires_payment_method", "succeeded");

        await Api.ExpectProblemAsync(await SendAsync(tampered, signature), HttpStatusCode.BadRequest, "invalid_signature");
        Assert.Equal(PaymentStatus.RequiresAction, (await ReloadAsync(payment)).Status);
    }

    [Fact]
    public async Task Webhook_WrongSecretStaleOrMissingSignature_ShouldBe400()
    {
        var (_, payment) = await WaitingPaymentAsync();
        var payload = IntentEvent(EventId(), "payment_intent.succeeded", Now, payment.ProviderPaymentId!, "succeeded", 2000);

        await Api.ExpectProblemAsync(await SendAsync(payload, Sign(payload, Now, "whsec_someone_else")), HttpStatusCode.BadRequest, "invalid_signature");
        await Api.ExpectProblemAsync(await SendAsync(payload, Sign(payload, Now - 600)), HttpStatusCode.BadRequest, "invalid_signature");
        await Api.ExpectProblemAsync(await SendAsync(payload, null), HttpStatusCode.BadRequest, "invalid_signature");
        await Api.ExpectProblemAsync(await SendAsync(payload, "t=1,v1=nonsense"), HttpStatusCode.BadRequest, "invalid_signature");
        Assert.Equal(PaymentStatus.RequiresAction, (await ReloadAsync(payment)).Status);
    }

    [Fact]
    public async Task Webhook_SameEventTwice_ShouldBeAppliedOnce()
    {
        var (_, payment) = await WaitingPaymentAsync();
        var eventId = EventId();
        var payload = IntentEvent(eventId, "payment_intent.succeeded", Now, payment.ProviderPaymentId!, "succeeded", 2000);

        var responses = await Task.WhenAll(SendAsync(payload, Sign(payload, Now)), SendAsync(payload, Sign(payload, Now)));
        var again = await SendAsync(payload, Sign(payload, Now));

        Assert.All(responses.Append(again), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal("duplicate", (await again.JsonAsync()).GetProperty("outcome").GetString());
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<ProcessedWebhookEvent>().CountAsync(e => e.Id == eventId)));
        var succeededEvents = await app.WithDbAsync(db => db.OutboxMessages.Where(m => m.OrganizationId == payment.OrganizationId && m.Type.Contains(nameof(PaymentSucceeded))).CountAsync());
        Assert.Equal(1, succeededEvents);
        Assert.Equal(20m, await app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == payment.InvoiceId).Select(i => i.AmountPaid).SingleAsync(), payment.OrganizationId));
    }

    [Fact]
    public async Task Webhook_LateFailureAfterSuccess_ShouldNotUndoTheSuccess()
    {
        var (_, payment) = await WaitingPaymentAsync();
        var failed = IntentEvent(EventId(), "payment_intent.payment_failed", Now - 30, payment.ProviderPaymentId!, "requires_payment_method", 2000, "card_declined");
        var succeeded = IntentEvent(EventId(), "payment_intent.succeeded", Now - 10, payment.ProviderPaymentId!, "succeeded", 2000);

        await Api.ExpectAsync(await SendAsync(succeeded, Sign(succeeded, Now)), HttpStatusCode.OK);
        await Api.ExpectAsync(await SendAsync(failed, Sign(failed, Now)), HttpStatusCode.OK);

        Assert.Equal(PaymentStatus.Succeeded, (await ReloadAsync(payment)).Status);
        Assert.Equal(InvoiceStatus.Paid, await InvoiceStatusAsync(payment));
    }

    [Fact]
    public async Task Webhook_OlderEventArrivingLast_ShouldNotOverwriteANewerState()
    {
        var (_, payment) = await WaitingPaymentAsync();
        var newer = IntentEvent(EventId(), "payment_intent.payment_failed", Now - 5, payment.ProviderPaymentId!, "requires_payment_method", 2000, "insufficient_funds");
        var older = IntentEvent(EventId(), "payment_intent.requires_action", Now - 50, payment.ProviderPaymentId!, "requires_action", 2000);

        await Api.ExpectAsync(await SendAsync(newer, Sign(newer, Now)), HttpStatusCode.OK);
        await Api.ExpectAsync(await SendAsync(older, Sign(older, Now)), HttpStatusCode.OK);

        var reloaded = await ReloadAsync(payment);
        Assert.Equal(PaymentStatus.Failed, reloaded.Status);
        Assert.Equal("insufficient_funds", reloaded.FailureCode);
    }

    [Fact]
    public async Task Webhook_ChargeRefundedAtStripe_ShouldRecordTheRefundOnceInAnyOrder()
    {
        var (owner, payment) = await WaitingPaymentAsync(50m);
        var succeeded = IntentEvent(EventId(), "payment_intent.succeeded", Now - 100, payment.ProviderPaymentId!, "succeeded", 5000);
        await Api.ExpectAsync(await SendAsync(succeeded, Sign(succeeded, Now)), HttpStatusCode.OK);
        var larger = RefundedEvent(EventId(), Now - 10, payment.ProviderPaymentId!, 5000, 2500);
        var smaller = RefundedEvent(EventId(), Now - 20, payment.ProviderPaymentId!, 5000, 1000);

        await Api.ExpectAsync(await SendAsync(larger, Sign(larger, Now)), HttpStatusCode.OK);
        await Api.ExpectAsync(await SendAsync(smaller, Sign(smaller, Now)), HttpStatusCode.OK);

        Assert.Equal(25m, (await ReloadAsync(payment)).AmountRefunded);
        var refunds = await app.WithDbAsync(db => db.Set<Refund>().Where(r => r.PaymentId == payment.Id).ToListAsync(), owner.OrganizationId);
        Assert.Equal(25m, Assert.Single(refunds).Amount);
        Assert.NotNull(refunds[0].CreditNoteId);
        Assert.Equal(25m, await app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == payment.InvoiceId).Select(i => i.AmountRefunded).SingleAsync(), owner.OrganizationId));
    }
}
