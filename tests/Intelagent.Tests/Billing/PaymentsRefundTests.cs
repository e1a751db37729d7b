using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Payments;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using static Intelagent.Tests.Billing.PaymentsSupport;

namespace Intelagent.Tests.Billing;

public sealed class PaymentsRefundTestsOnSqlite(PaymentsSqliteApp app) : PaymentsRefundTests<PaymentsSqliteApp>(app);
public sealed class PaymentsRefundTestsOnPostgres(PaymentsPostgresApp app) : PaymentsRefundTests<PaymentsPostgresApp>(app);

public abstract class PaymentsRefundTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<(Account Owner, string PaymentId, string InvoiceId, HttpClient Operator)> PaidAsync(decimal amount)
    {
        var owner = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, amount);
        var response = await app.WithToken(owner.Token).SendAsync(PayRequest(invoiceId, Card("4242424242424242"), "refund-setup"));
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var operatorClient = app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));
        return (owner, (await response.JsonAsync()).GetProperty("id").GetString()!, invoiceId, operatorClient);
    }

    [Fact]
    public async Task Refund_PartialThenTheRest_ShouldIssueCreditNotesWithConsecutiveNumbers()
    {
        var (owner, paymentId, invoiceId, operatorClient) = await PaidAsync(100m);

        var partial = await operatorClient.PostAsJsonAsync($"/api/admin/payments/{paymentId}/refunds", new { amount = 30m, reason = "Service outage" });
        var rest = await operatorClient.PostAsJsonAsync($"/api/admin/payments/{paymentId}/refunds", new { });

        await Api.ExpectAsync(partial, HttpStatusCode.Created);
        await Api.ExpectAsync(rest, HttpStatusCode.Created);
        var first = await partial.JsonAsync();
        var second = await rest.JsonAsync();
        Assert.Equal(30m, first.GetProperty("amount").GetDecimal());
        Assert.Equal(70m, second.GetProperty("amount").GetDecimal());
        var firstNumber = first.GetProperty("creditNote").GetProperty("number").GetString()!;
        var secondNumber = second.GetProperty("creditNote").GetProperty("number").GetString()!;
        Assert.Matches(@"^CN-\d{4}-\d{6}$", firstNumber);
        Assert.Equal(int.Parse(firstNumber[^6..]) + 1, int.Parse(secondNumber[^6..]));

        var invoice = await app.WithDbAsync(db => db.Set<Invoice>().SingleAsync(i => i.Id == invoiceId), owner.OrganizationId);
        Assert.Equal(100m, invoice.AmountRefunded);
        Assert.Equal(100m, await app.WithDbAsync(db => db.Set<Payment>().Where(p => p.Id == paymentId).Select(p => p.AmountRefunded).SingleAsync(), owner.OrganizationId));
        await Api.ExpectProblemAsync(await operatorClient.PostAsJsonAsync($"/api/admin/payments/{paymentId}/refunds", new { amount = 1m }), HttpStatusCode.Conflict, "payment_fully_refunded");
        var notes = await (await app.WithToken(owner.Token).GetAsync($"/api/financial/credit-notes?invoiceId={invoiceId}")).JsonAsync();
        Assert.Equal(2, notes.GetArrayLength());
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == "credit_note.created" && a.OrganizationId == owner.OrganizationId && a.ActorIsOperator)));
    }

    [Fact]
    public async Task Refund_MoreThanWasPaid_ShouldBe422AndChangeNothing()
    {
        var (owner, paymentId, _, operatorClient) = await PaidAsync(40m);

        var response = await operatorClient.PostAsJsonAsync($"/api/admin/payments/{paymentId}/refunds", new { amount = 40.01m });

        await Api.ExpectProblemAsync(response, HttpStatusCode.UnprocessableEntity, "refund_exceeds_payment");
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<Refund>().CountAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task Refund_Concurrently_ShouldNeverTogetherExceedThePayment()
    {
        var (owner, paymentId, _, operatorClient) = await PaidAsync(100m);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ =>
            operatorClient.PostAsJsonAsync($"/api/admin/payments/{paymentId}/refunds", new { amount = 30m })));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.UnprocessableEntity or HttpStatusCode.Conflict, $"got {(int)r.StatusCode}"));
        var succeeded = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        Assert.InRange(succeeded, 1, 3);
        var refunds = await app.WithDbAsync(db => db.Set<Refund>().Where(r => r.Status == RefundStatus.Succeeded).ToListAsync(), owner.OrganizationId);
        Assert.Equal(succeeded, refunds.Count);
        var payment = await app.WithDbAsync(db => db.Set<Payment>().SingleAsync(p => p.Id == paymentId), owner.OrganizationId);
        Assert.Equal(refunds.Sum(r => r.Amount), payment.AmountRefunded);
        Assert.True(payment.AmountRefunded <= 100m);
        var sequences = await app.WithDbAsync(db => db.Set<CreditNote>().IgnoreQueryFilters().OrderBy(c => c.Sequence).Select(c => c.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(sequences[0], sequences.Count), sequences);
    }

    [Fact]
    public async Task Refund_ByTheTenantsOwner_ShouldBe403()
    {
        var (owner, paymentId, _, _) = await PaidAsync(10m);

        var response = await app.WithToken(owner.Token).PostAsJsonAsync($"/api/admin/payments/{paymentId}/refunds", new { amount = 5m });

        await Api.ExpectProblemAsync(response, HttpStatusCode.Forbidden);
    }
}
