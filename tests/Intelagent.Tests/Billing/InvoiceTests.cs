using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Usage;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Billing;

public sealed class InvoiceTestsOnSqlite(SqliteApp app) : InvoiceTests<SqliteApp>(app);
public sealed class InvoiceTestsOnPostgres(PostgresApp app) : InvoiceTests<PostgresApp>(app);

public abstract class InvoiceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<string> DraftAsync(HttpClient operatorClient, string organizationId, decimal unitAmount = 100m)
    {
        var response = await operatorClient.PostAsJsonAsync("/api/financial/invoices",
            new { organizationId, lines = new[] { new { description = "Onboarding", quantity = 1, unitAmount } } });
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        return (await response.JsonAsync()).Id();
    }

    [Fact]
    public async Task BillingRun_WhenRunTwiceAndTwiceAtOnce_ShouldRenewOnceAndIssueOneInvoicePerPeriod()
    {
        var owner = await app.RegisterAsync();
        var subscription = await app.SubscribeAsync(owner, BillingApi.PlatformBasic, quantity: 2);
        var before = await app.SubscriptionRowAsync(subscription.Id());
        app.Clock.Advance(TimeSpan.FromDays(32));

        var operatorClient = await app.OperatorAsync();
        var concurrent = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => operatorClient.PostAsync("/api/admin/billing/run", null)));
        Assert.All(concurrent, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await app.RunBillingAsync();

        var after = await app.SubscriptionRowAsync(subscription.Id());
        Assert.Equal((before.CurrentPeriodEnd, before.CurrentPeriodEnd.AddMonths(1)), (after.CurrentPeriodStart, after.CurrentPeriodEnd));
        var invoices = await app.InvoicesOfAsync(subscription.Id());
        Assert.Equal([before.CurrentPeriodStart, before.CurrentPeriodEnd], invoices.Select(i => i.PeriodStart!.Value));
        Assert.All(invoices, i => Assert.Equal((98m, InvoiceStatus.Open), (i.Total, i.Status)));
        var renewals = await app.WithDbAsync(db => db.Set<SubscriptionEvent>().IgnoreQueryFilters()
            .CountAsync(e => e.SubscriptionId == subscription.Id() && e.At == before.CurrentPeriodEnd));
        Assert.Equal(1, renewals);
    }

    [Fact]
    public async Task BillingRun_WhenUsageExceededTheIncludedQuota_ShouldInvoiceTheOverageAtThePlansUnitPrice()
    {
        var owner = await app.RegisterAsync();
        var subscription = await app.SubscribeAsync(owner, BillingApi.PlatformBasic);
        var row = await app.SubscriptionRowAsync(subscription.Id());
        var day = new DateTimeOffset(row.CurrentPeriodStart.UtcDateTime.Date, TimeSpan.Zero).AddDays(2);
        await app.WithDbAsync(async db =>
        {
            db.Set<UsageRollup>().Add(new UsageRollup { OrganizationId = owner.OrganizationId, Metric = UsageMetric.ApiCalls, Granularity = UsageGranularity.Day, PeriodStart = day, Value = 300_000 });
            db.Set<UsageRollup>().Add(new UsageRollup { OrganizationId = owner.OrganizationId, Metric = UsageMetric.ApiCalls, Granularity = UsageGranularity.Day, PeriodStart = day.AddDays(1), Value = 1_234 });
            return await db.SaveChangesAsync();
        });
        app.Clock.Advance(TimeSpan.FromDays(32));
        await app.RunBillingAsync();

        var renewal = (await app.InvoicesOfAsync(subscription.Id())).Single(i => i.PeriodStart == row.CurrentPeriodEnd);
        var overage = renewal.Lines.Single(l => l.Kind == InvoiceLineKind.Overage);
        // 301,234 used - 300,000 included = 1,234 calls x 0.0004 = 0.4936 -> 0.49
        Assert.Equal((1_234m, 0.0004m, 0.49m), (overage.Quantity, overage.UnitAmount, overage.Amount));
        Assert.Equal(49.49m, renewal.Total);
    }

    [Fact]
    public async Task Finalize_WhenManyDraftsAreFinalizedAtOnce_ShouldKeepTheNumbersGapFree()
    {
        var owner = await app.RegisterAsync();
        var operatorClient = await app.OperatorAsync();
        var drafts = new List<string>();
        for (var i = 0; i < 12; i++) drafts.Add(await DraftAsync(operatorClient, owner.OrganizationId, 10m + i));

        // Every draft once, and the first draft three more times: those must lose (409), not take a number.
        var calls = drafts.Concat([drafts[0], drafts[0], drafts[0]]).Select(id => operatorClient.PostAsync($"/api/admin/billing/invoices/{id}/finalize", null));
        var responses = await Task.WhenAll(calls);
        Assert.Equal(12, responses.Count(r => r.StatusCode == HttpStatusCode.OK));
        Assert.Equal(3, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));

        var numbers = await app.WithDbAsync(db => db.Set<Invoice>().IgnoreQueryFilters().Where(i => i.Number != null).Select(i => i.Number!).ToListAsync());
        var sequence = numbers.Select(n => long.Parse(n[^6..], CultureInfo.InvariantCulture)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, sequence.Count).Select(i => (long)i), sequence);
        var ours = await app.WithDbAsync(db => db.Set<Invoice>().IgnoreQueryFilters().Where(i => drafts.Contains(i.Id)).ToListAsync());
        Assert.All(ours, i => Assert.Equal(InvoiceStatus.Open, i.Status));
        Assert.Equal(12, ours.Select(i => i.Number).Distinct().Count());
    }

    [Fact]
    public async Task Create_WhenRetriedWithTheSameIdempotencyKey_ShouldCreateOneInvoice()
    {
        var owner = await app.RegisterAsync();
        await app.SetTaxRateAsync(owner.OrganizationId, 8.25m);
        var operatorClient = await app.OperatorAsync();
        var key = Guid.NewGuid().ToString();
        HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/financial/invoices")
            {
                Content = JsonContent.Create(new
                {
                    organizationId = owner.OrganizationId,
                    finalize = true,
                    memo = "Workshop",
                    lines = new object[] { new { description = "Workshop day", quantity = 2, unitAmount = 650.25m }, new { description = "Travel", quantity = 1, unitAmount = 99.99m } },
                }),
            };
            request.Headers.Add("Idempotency-Key", key);
            return request;
        }
        var first = await operatorClient.SendAsync(Request());
        await Api.ExpectAsync(first, HttpStatusCode.Created);
        var retry = await operatorClient.SendAsync(Request());
        await Api.ExpectAsync(retry, HttpStatusCode.Created);
        Assert.Equal((await first.JsonAsync()).Id(), (await retry.JsonAsync()).Id());

        var invoice = Assert.Single(await app.WithDbAsync(db => db.Set<Invoice>().IgnoreQueryFilters().Include(i => i.Lines)
            .Where(i => i.OrganizationId == owner.OrganizationId).ToListAsync()));
        // 2 x 650.25 = 1300.50, tax 8.25% = 107.29125 -> 107.29; 99.99, tax 8.249175 -> 8.25; subtotal 1400.49, tax 115.54, total 1516.03
        Assert.Equal([107.29m, 8.25m], invoice.Lines.OrderBy(l => l.Position).Select(l => l.Tax));
        Assert.Equal((1400.49m, 115.54m, 1516.03m), (invoice.Subtotal, invoice.Tax, invoice.Total));
        Assert.Equal(InvoiceStatus.Open, invoice.Status);
        var audited = await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().AnyAsync(a => a.TargetId == invoice.Id && a.Action == "invoice.created"));
        Assert.True(audited);
    }

    [Fact]
    public async Task VoidAndPdf_WhenAnOpenInvoiceIsVoided_ShouldKeepItsNumberAndRenderAPdf()
    {
        var owner = await app.RegisterAsync();
        var operatorClient = await app.OperatorAsync();
        var id = await DraftAsync(operatorClient, owner.OrganizationId);
        await Api.ExpectAsync(await operatorClient.PostAsync($"/api/admin/billing/invoices/{id}/finalize", null), HttpStatusCode.OK);
        var voided = await operatorClient.PostAsync($"/api/admin/billing/invoices/{id}/void", null);
        await Api.ExpectAsync(voided, HttpStatusCode.OK);
        var body = await voided.JsonAsync();
        Assert.Equal("void", body.GetProperty("status").GetString());
        Assert.StartsWith("INV-", body.GetProperty("number").GetString());
        await Api.ExpectProblemAsync(await operatorClient.PostAsync($"/api/admin/billing/invoices/{id}/void", null), HttpStatusCode.Conflict, "invoice_not_voidable");
        await Api.ExpectProblemAsync(await operatorClient.PostAsync($"/api/admin/billing/invoices/{id}/finalize", null), HttpStatusCode.Conflict, "invoice_not_draft");

        var pdf = await app.WithToken(owner.Token, owner.OrganizationId).GetAsync($"/api/financial/invoices/{id}/pdf");
        await Api.ExpectAsync(pdf, HttpStatusCode.OK);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var bytes = await pdf.Content.ReadAsByteArrayAsync();
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
    }

    [Fact]
    public async Task Create_WhenTheInputIsBad_ShouldAnswerProblems()
    {
        var owner = await app.RegisterAsync();
        var operatorClient = await app.OperatorAsync();
        var empty = await operatorClient.PostAsJsonAsync("/api/financial/invoices", new { organizationId = owner.OrganizationId, lines = Array.Empty<object>() });
        Assert.True((await Api.ExpectProblemAsync(empty, HttpStatusCode.BadRequest, "validation_failed")).GetProperty("errors").TryGetProperty("lines", out _));
        var badLine = await operatorClient.PostAsJsonAsync("/api/financial/invoices",
            new { organizationId = owner.OrganizationId, currency = "XXX", lines = new[] { new { description = "", quantity = 0, unitAmount = 1 } } });
        var problem = await Api.ExpectProblemAsync(badLine, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("lines[0].quantity", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("currency", out _));
        await Api.ExpectProblemAsync(await operatorClient.PutAsJsonAsync($"/api/admin/organizations/{owner.OrganizationId}/billing-profile", new { taxRatePercent = 101 }),
            HttpStatusCode.BadRequest, "validation_failed");
        var tenant = app.WithToken(owner.Token, owner.OrganizationId);
        await Api.ExpectProblemAsync(await tenant.PutAsJsonAsync("/api/financial/billing-profile", new { taxRatePercent = 0 }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await tenant.PutAsJsonAsync("/api/financial/billing-profile", new { billingEmail = "not-an-email" }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await tenant.PostAsJsonAsync("/api/financial/invoices", new { organizationId = owner.OrganizationId }), HttpStatusCode.Forbidden);
    }
}
