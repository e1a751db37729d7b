using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Platform.Data;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Intelagent.Tests.Billing.PaymentsSupport;

namespace Intelagent.Tests.Billing;

public sealed class PaymentsTestsOnSqlite(PaymentsSqliteApp app) : PaymentsTests<PaymentsSqliteApp>(app);
public sealed class PaymentsTestsOnPostgres(PaymentsPostgresApp app) : PaymentsTests<PaymentsPostgresApp>(app);

public abstract class PaymentsTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private SandboxPaymentProvider Sandbox => app.Services.GetRequiredService<SandboxPaymentProvider>();

    [Fact]
    public async Task Pay_WithTheSucceedingTestCard_ShouldPayTheInvoiceAndRaiseInvoicePaid()
    {
        var owner = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 119.99m);

        var response = await app.WithToken(owner.Token).SendAsync(PayRequest(invoiceId, Card("4242 4242 4242 4242"), "pay-1"));

        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var body = await response.JsonAsync();
        Assert.Equal("succeeded", body.GetProperty("status").GetString());
        Assert.Equal(119.99m, body.GetProperty("amount").GetDecimal());
        var paymentId = body.GetProperty("id").GetString()!;
        var invoice = await app.WithDbAsync(db => db.Set<Invoice>().SingleAsync(i => i.Id == invoiceId), owner.OrganizationId);
        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        Assert.Equal(119.99m, invoice.AmountPaid);
        Assert.NotNull(invoice.PaidAt);
        Assert.Equal(11999, Sandbox.Charges.Single(c => c.InvoiceId == invoiceId).AmountMinor);
        var events = await app.WithDbAsync(db => db.OutboxMessages.Where(m => m.OrganizationId == owner.OrganizationId).Select(m => m.Type).ToListAsync());
        Assert.Contains(events, t => t.Contains(nameof(InvoicePaid)));
        Assert.Contains(events, t => t.Contains(nameof(PaymentSucceeded)));
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.TargetId == paymentId && a.Action == "payment.created")));
    }

    [Theory]
    [InlineData("4000 0000 0000 0002", "card_declined")]
    [InlineData("4000000000009995", "insufficient_funds")]
    public async Task Pay_WithAFailingTestCard_ShouldRecordTheReasonAndLeaveTheInvoiceOpen(string number, string reason)
    {
        var owner = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 50m);

        var response = await app.WithToken(owner.Token).SendAsync(PayRequest(invoiceId, Card(number), "pay-fail"));

        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var body = await response.JsonAsync();
        Assert.Equal("failed", body.GetProperty("status").GetString());
        Assert.Equal(reason, body.GetProperty("failureCode").GetString());
        var invoice = await app.WithDbAsync(db => db.Set<Invoice>().SingleAsync(i => i.Id == invoiceId), owner.OrganizationId);
        Assert.Equal(InvoiceStatus.Open, invoice.Status);
        Assert.Equal(0m, invoice.AmountPaid);
    }

    [Theory]
    [InlineData("pm_card_visa", "succeeded")]
    [InlineData("pm_card_chargeDeclined", "failed")]
    [InlineData("pm_card_chargeDeclinedInsufficientFunds", "failed")]
    [InlineData("pm_card_authenticationRequired", "requires_action")]
    public async Task Pay_WithStripeTestTokens_ShouldBehaveAsInStripeTestMode(string token, string status)
    {
        var owner = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 10m);

        var response = await app.WithToken(owner.Token).SendAsync(PayRequest(invoiceId, new { token }, "tok-" + token, "/api/financial/payments"));

        await Api.ExpectAsync(response, HttpStatusCode.Created);
        Assert.Equal(status, (await response.JsonAsync()).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Pay_WithACardNeedingAuthentication_ShouldWaitUntilConfirmed()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 20m);

        var response = await client.SendAsync(PayRequest(invoiceId, Card("4000 0025 0000 3155"), "auth-1"));
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        var payment = await response.JsonAsync();
        Assert.Equal("requires_action", payment.GetProperty("status").GetString());
        Assert.Equal(InvoiceStatus.Open, await app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == invoiceId).Select(i => i.Status).SingleAsync(), owner.OrganizationId));
        // A second payment while this one waits would charge twice.
        await Api.ExpectProblemAsync(await client.SendAsync(PayRequest(invoiceId, Card("4242424242424242"), "auth-2")), HttpStatusCode.Conflict, "payment_in_progress");

        var confirmed = await client.PostAsync($"/api/financial/payments/{payment.GetProperty("id").GetString()}/confirm", null);

        await Api.ExpectAsync(confirmed, HttpStatusCode.OK);
        Assert.Equal("succeeded", (await confirmed.JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(InvoiceStatus.Paid, await app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == invoiceId).Select(i => i.Status).SingleAsync(), owner.OrganizationId));
    }

    [Fact]
    public async Task Pay_WithoutAnIdempotencyKey_ShouldBe400AndChargeNothing()
    {
        var owner = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 10m);

        var response = await app.WithToken(owner.Token).SendAsync(PayRequest(invoiceId, Card("4242424242424242"), key: null));

        await Api.ExpectProblemAsync(response, HttpStatusCode.BadRequest, "idempotency_key_required");
        Assert.DoesNotContain(Sandbox.Charges, c => c.InvoiceId == invoiceId);
    }

    [Fact]
    public async Task Pay_ConcurrentlyWithOneKey_ShouldChargeOnceAtTheProviderAndInTheDatabase()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 75m);

        // Both of the spec's names, several times each, at once: the middleware scopes keys per path, the payment row per organization.
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            client.SendAsync(PayRequest(invoiceId, Card("4242424242424242"), "same-key", i % 2 == 0 ? "/api/financial/payments" : "/api/financial/process-payment"))));

        Assert.All(responses, r => Assert.True(r.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK or HttpStatusCode.Conflict, $"got {(int)r.StatusCode}"));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Single(Sandbox.Charges, c => c.InvoiceId == invoiceId);
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<Payment>().CountAsync(p => p.InvoiceId == invoiceId), owner.OrganizationId));
        var invoice = await app.WithDbAsync(db => db.Set<Invoice>().SingleAsync(i => i.Id == invoiceId), owner.OrganizationId);
        Assert.Equal(75m, invoice.AmountPaid);

        // A later retry with the key answers with the same payment (as first answered on that path) and charges nothing more.
        var paymentId = await app.WithDbAsync(db => db.Set<Payment>().Where(p => p.InvoiceId == invoiceId).Select(p => p.Id).SingleAsync(), owner.OrganizationId);
        var retry = await client.SendAsync(PayRequest(invoiceId, Card("4242424242424242"), "same-key", "/api/financial/payments"));
        Assert.True(retry.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"got {(int)retry.StatusCode}");
        Assert.Equal(paymentId, (await retry.JsonAsync()).GetProperty("id").GetString());
        Assert.Equal("succeeded", (await (await client.GetAsync($"/api/financial/payments/{paymentId}")).JsonAsync()).GetProperty("status").GetString());
        Assert.Single(Sandbox.Charges, c => c.InvoiceId == invoiceId);
    }

    [Fact]
    public async Task Pay_APaidOrVoidInvoice_ShouldBe409()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var paid = await app.OpenInvoiceAsync(owner.OrganizationId, 10m);
        await Api.ExpectAsync(await client.SendAsync(PayRequest(paid, Card("4242424242424242"), "first")), HttpStatusCode.Created);
        var voided = await app.OpenInvoiceAsync(owner.OrganizationId, 10m, status: InvoiceStatus.Void);

        await Api.ExpectProblemAsync(await client.SendAsync(PayRequest(paid, Card("4242424242424242"), "second")), HttpStatusCode.Conflict, "invoice_already_paid");
        await Api.ExpectProblemAsync(await client.SendAsync(PayRequest(voided, Card("4242424242424242"), "third")), HttpStatusCode.Conflict, "invoice_void");
        Assert.Single(Sandbox.Charges, c => c.InvoiceId == paid);
    }

    [Fact]
    public async Task Pay_AnotherOrganizationsInvoice_ShouldBe404()
    {
        var owner = await app.RegisterAsync();
        var stranger = await app.RegisterAsync();
        var invoiceId = await app.OpenInvoiceAsync(stranger.OrganizationId, 10m);

        var response = await app.WithToken(owner.Token).SendAsync(PayRequest(invoiceId, Card("4242424242424242"), "steal"));

        await Api.ExpectProblemAsync(response, HttpStatusCode.NotFound);
        Assert.DoesNotContain(Sandbox.Charges, c => c.InvoiceId == invoiceId);
    }

    [Fact]
    public async Task PaymentMethods_AddPayWithAndRemove_ShouldKeepOnlyTheToken()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        var added = await client.PostAsync("/api/financial/payment-methods", System.Net.Http.Json.JsonContent.Create(Card("4242 4242 4242 4242")));
        await Api.ExpectAsync(added, HttpStatusCode.Created);
        var method = await added.JsonAsync();
        Assert.Equal("visa", method.GetProperty("brand").GetString());
        Assert.Equal("4242", method.GetProperty("last4").GetString());
        Assert.True(method.GetProperty("isDefault").GetBoolean());
        var methodId = method.GetProperty("id").GetString()!;
        var token = await app.WithDbAsync(db => db.Set<PaymentMethod>().Where(m => m.Id == methodId).Select(m => m.Token).SingleAsync(), owner.OrganizationId);
        Assert.StartsWith("pm_sandbox_", token);

        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 30m);
        var paid = await client.SendAsync(PayRequest(invoiceId, new { paymentMethodId = methodId }, "with-method"));
        await Api.ExpectAsync(paid, HttpStatusCode.Created);
        Assert.Equal("succeeded", (await paid.JsonAsync()).GetProperty("status").GetString());

        Assert.Single((await (await client.GetAsync("/api/financial/payment-methods")).JsonAsync()).EnumerateArray());
        await Api.ExpectAsync(await client.DeleteAsync($"/api/financial/payment-methods/{methodId}"), HttpStatusCode.NoContent);
        Assert.Empty((await (await client.GetAsync("/api/financial/payment-methods")).JsonAsync()).EnumerateArray());
        var stranger = await app.RegisterAsync();
        await Api.ExpectProblemAsync(await app.WithToken(stranger.Token).DeleteAsync($"/api/financial/payment-methods/{methodId}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CardNumber_ShouldNotAppearInTheDatabaseOrTheLogs()
    {
        var logs = new CapturingLoggerProvider();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        const string number = "5555555555554444";

        await Api.ExpectAsync(await client.PostAsync("/api/financial/payment-methods", System.Net.Http.Json.JsonContent.Create(Card("5555 5555 5555 4444"))), HttpStatusCode.Created);
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 12m);
        await Api.ExpectAsync(await client.SendAsync(PayRequest(invoiceId, Card(number), "leak-check")), HttpStatusCode.Created);
        await app.DispatchEventsAsync();

        var everything = await app.WithDbAsync(DumpAllTablesAsync);
        Assert.Contains(invoiceId, everything); // the dump does see the rows
        Assert.DoesNotContain(number, everything);
        Assert.DoesNotContain("5555 5555 5555 4444", everything);
        Assert.DoesNotContain(logs.Messages, m => m.Contains(number) || m.Contains("5555 5555 5555 4444"));
    }

    [Fact]
    public async Task ListPayments_ShouldShowTheTenantItsOwnInPagesAndTheOperatorAll()
    {
        var owner = await app.RegisterAsync();
        var other = await app.RegisterAsync();
        foreach (var (account, count) in new[] { (owner, 3), (other, 1) })
            for (var i = 0; i < count; i++)
                await Api.ExpectAsync(await app.WithToken(account.Token).SendAsync(
                    PayRequest(await app.OpenInvoiceAsync(account.OrganizationId, 5m), Card("4242424242424242"), $"list-{i}")), HttpStatusCode.Created);

        var firstPage = await (await app.WithToken(owner.Token).GetAsync("/api/financial/payments?limit=2")).JsonAsync();
        var secondPage = await (await app.WithToken(owner.Token).GetAsync($"/api/financial/payments?limit=2&cursor={firstPage.GetProperty("nextCursor").GetString()}")).JsonAsync();

        var mine = firstPage.GetProperty("items").EnumerateArray().Concat(secondPage.GetProperty("items").EnumerateArray()).ToList();
        Assert.Equal(3, mine.Count);
        Assert.All(mine, p => Assert.Equal(owner.OrganizationId, p.GetProperty("organizationId").GetString()));
        Assert.Equal(JsonValueKindNull, secondPage.GetProperty("nextCursor").ValueKind);
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);
        var all = await (await app.WithToken(operatorToken).GetAsync("/api/admin/payments?limit=200")).JsonAsync();
        var organizations = all.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("organizationId").GetString()).ToHashSet();
        Assert.Contains(owner.OrganizationId, organizations);
        Assert.Contains(other.OrganizationId, organizations);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;

    /// <summary>Every value of every table of the model, as text.</summary>
    private static async Task<string> DumpAllTablesAsync(AppDb db)
    {
        var text = new StringBuilder();
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync();
        foreach (var table in db.Model.GetEntityTypes().Select(t => t.GetTableName()).OfType<string>().Distinct())
        {
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT * FROM \"{table}\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
                for (var i = 0; i < reader.FieldCount; i++)
                    text.Append(reader.IsDBNull(i) ? "" : reader.GetValue(i) is byte[] bytes ? Encoding.UTF8.GetString(bytes) : reader.GetValue(i).ToString()).Append('|');
        }
        return text.ToString();
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void Dispose() { }

        private sealed class Logger(ConcurrentQueue<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Enqueue(formatter(state, exception) + exception);
        }
    }
}
