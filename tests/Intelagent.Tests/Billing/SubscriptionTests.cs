using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Server.Organizations;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Billing;

public sealed class SubscriptionTestsOnSqlite(SqliteApp app) : SubscriptionTests<SqliteApp>(app);
public sealed class SubscriptionTestsOnPostgres(PostgresApp app) : SubscriptionTests<PostgresApp>(app);

public abstract class SubscriptionTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private Task<Organization> OrganizationAsync(string id) =>
        app.WithDbAsync(db => db.Organizations.IgnoreQueryFilters().AsNoTracking().SingleAsync(o => o.Id == id));

    [Fact]
    public async Task Create_WhenSubscribingToThePlatformProPlan_ShouldRaiseTheUsageLimitsAtOnceAndInvoiceTheFirstPeriod()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        Assert.Equal("1000", (await client.GetAsync("/api/usage/limits")).Headers.GetValues("X-Quota-Limit").Single());
        await app.SetTaxRateAsync(owner.OrganizationId, 10m);

        var subscription = await app.SubscribeAsync(owner, BillingApi.PlatformPro);

        Assert.Equal("active", subscription.GetProperty("status").GetString());
        // No event dispatch needed: the limits follow the tier on this node at once.
        var limits = await client.GetAsync("/api/usage/limits");
        Assert.Equal("100000", limits.Headers.GetValues("X-Quota-Limit").Single());
        Assert.Equal("pro", (await limits.JsonAsync()).GetProperty("tier").GetString());
        var invoice = Assert.Single(await app.InvoicesOfAsync(subscription.Id()));
        // 199.00 + 10% tax 19.90 = 218.90, open and numbered
        Assert.Equal((199m, 19.90m, 218.90m, InvoiceStatus.Open), (invoice.Subtotal, invoice.Tax, invoice.Total, invoice.Status));
        Assert.Matches(@"^INV-\d{4}-\d{6}$", invoice.Number);
        var ledger = await app.WithDbAsync(db => db.Set<SubscriptionEvent>().IgnoreQueryFilters().Where(e => e.SubscriptionId == subscription.Id()).ToListAsync());
        Assert.Equal(SubscriptionEventType.Start, Assert.Single(ledger).Type);

        await app.DispatchEventsAsync();
        var organization = await OrganizationAsync(owner.OrganizationId);
        Assert.Equal((199m, "USD", SubscriptionTier.Pro), (organization.Mrr, organization.MrrCurrency, organization.SubscriptionTier));
    }

    [Fact]
    public async Task Mrr_WhenTheOrganizationHasSeveralSubscriptionsAndADiscount_ShouldSumThemInTheReportingCurrency()
    {
        var owner = await app.RegisterAsync();
        var platform = await app.SubscribeAsync(owner, BillingApi.PlatformBasic, quantity: 3);
        await app.SubscribeAsync(owner, BillingApi.ChatbotBasic);
        var discount = await (await app.OperatorAsync()).PutAsJsonAsync($"/api/admin/billing/subscriptions/{platform.Id()}/discount", new { percent = 20 });
        await Api.ExpectAsync(discount, HttpStatusCode.OK);
        await app.DispatchEventsAsync();
        // 3 x 49 x 0.8 = 117.60, plus 29 = 146.60
        Assert.Equal(146.60m, (await OrganizationAsync(owner.OrganizationId)).Mrr);
    }

    [Fact]
    public async Task Change_WhenPreviewedThenConfirmedAtThePreviewInstant_ShouldChargeExactlyThePreviewAndIssueAProrationInvoice()
    {
        var owner = await app.RegisterAsync();
        var subscription = await app.SubscribeAsync(owner, BillingApi.PlatformBasic);
        var row = await app.SubscriptionRowAsync(subscription.Id());
        app.Clock.Advance(TimeSpan.FromDays(10));
        var client = await app.SignedInAsync(owner);
        var at = row.CurrentPeriodStart.AddDays(10);

        var previewResponse = await client.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/change/preview",
            new { planId = BillingApi.PlatformPro, prorationAt = at });
        await Api.ExpectAsync(previewResponse, HttpStatusCode.OK);
        var preview = await previewResponse.JsonAsync();
        // The same formula the decision states: whole seconds remaining over whole seconds in the period.
        var fraction = (decimal)(long)(row.CurrentPeriodEnd - at).TotalSeconds / (long)(row.CurrentPeriodEnd - row.CurrentPeriodStart).TotalSeconds;
        var credit = -Math.Round(49m * fraction, 2, MidpointRounding.AwayFromZero);
        var charge = Math.Round(199m * fraction, 2, MidpointRounding.AwayFromZero);
        Assert.Equal(credit, preview.GetProperty("credit").GetDecimal());
        Assert.Equal(charge, preview.GetProperty("charge").GetDecimal());
        Assert.Empty(await app.WithDbAsync(db => db.Set<Invoice>().IgnoreQueryFilters().Where(i => i.SubscriptionId == subscription.Id() && i.PeriodStart == null).ToListAsync()));

        var stale = new HttpRequestMessage(HttpMethod.Post, $"/api/financial/subscriptions/{subscription.Id()}/change")
        { Content = JsonContent.Create(new { planId = BillingApi.PlatformPro, prorationAt = at }) };
        stale.Headers.TryAddWithoutValidation("If-Match", "\"v0\"");
        await Api.ExpectProblemAsync(await client.SendAsync(stale), HttpStatusCode.PreconditionFailed, "stale_version");

        var confirm = await client.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/change", new { planId = BillingApi.PlatformPro, prorationAt = at });
        await Api.ExpectAsync(confirm, HttpStatusCode.OK);
        var body = await confirm.JsonAsync();
        Assert.Equal(credit + charge, body.GetProperty("proration").GetProperty("net").GetDecimal());
        Assert.Equal("pro", body.GetProperty("subscription").GetProperty("tier").GetString());
        var proration = (await app.InvoicesOfAsync(subscription.Id())).Single(i => i.PeriodStart is null);
        Assert.Equal([credit, charge], proration.Lines.OrderBy(l => l.Position).Select(l => l.Amount));
        Assert.All(proration.Lines, l => Assert.Equal(InvoiceLineKind.Proration, l.Kind));
        Assert.Equal(InvoiceStatus.Open, proration.Status);
        Assert.Equal(SubscriptionTier.Pro, (await OrganizationAsync(owner.OrganizationId)).SubscriptionTier);
        var ledger = await app.WithDbAsync(db => db.Set<SubscriptionEvent>().IgnoreQueryFilters().Where(e => e.SubscriptionId == subscription.Id()).OrderBy(e => e.Id).ToListAsync());
        Assert.Equal([SubscriptionEventType.Start, SubscriptionEventType.Change], ledger.Select(e => e.Type));
        Assert.Equal((at, 199m), (ledger[1].At, ledger[1].Amount));
    }

    [Fact]
    public async Task Trial_WhenItEnds_ShouldBecomeActiveAndInvoiceOnceAndCountInMrr()
    {
        var owner = await app.RegisterAsync();
        var subscription = await app.SubscribeAsync(owner, BillingApi.ChatbotBasic, skipTrial: false);
        Assert.Equal("trialing", subscription.GetProperty("status").GetString());
        Assert.Empty(await app.InvoicesOfAsync(subscription.Id()));
        await app.DispatchEventsAsync();
        Assert.Equal(0m, (await OrganizationAsync(owner.OrganizationId)).Mrr);

        app.Clock.Advance(TimeSpan.FromDays(15));
        await app.RunBillingAsync();
        await app.RunBillingAsync();

        var row = await app.SubscriptionRowAsync(subscription.Id());
        Assert.Equal(SubscriptionStatus.Active, row.Status);
        var invoice = Assert.Single(await app.InvoicesOfAsync(subscription.Id()));
        Assert.Equal((29m, row.CurrentPeriodStart), (invoice.Total, invoice.PeriodStart!.Value));
        await app.DispatchEventsAsync();
        Assert.Equal(29m, (await OrganizationAsync(owner.OrganizationId)).Mrr);
    }

    [Fact]
    public async Task Cancel_WhenAtPeriodEnd_ShouldKeepTheTierUntilTheRunThenFallBackToFree()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        var subscription = await app.SubscribeAsync(owner, BillingApi.PlatformBasic);
        var cancel = await client.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/cancel", new { atPeriodEnd = true });
        await Api.ExpectAsync(cancel, HttpStatusCode.OK);
        Assert.True((await cancel.JsonAsync()).GetProperty("cancelAtPeriodEnd").GetBoolean());
        Assert.Equal(SubscriptionTier.Basic, (await OrganizationAsync(owner.OrganizationId)).SubscriptionTier);

        app.Clock.Advance(TimeSpan.FromDays(32));
        await app.RunBillingAsync();

        var row = await app.SubscriptionRowAsync(subscription.Id());
        Assert.Equal(SubscriptionStatus.Canceled, row.Status);
        Assert.Single(await app.InvoicesOfAsync(subscription.Id())); // the first period only
        Assert.Equal(SubscriptionTier.Free, (await OrganizationAsync(owner.OrganizationId)).SubscriptionTier);
        await app.DispatchEventsAsync();
        Assert.Equal(0m, (await OrganizationAsync(owner.OrganizationId)).Mrr);
        client = await app.SignedInAsync(owner);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/cancel", new { atPeriodEnd = false }),
            HttpStatusCode.Conflict, "subscription_canceled");
    }

    [Fact]
    public async Task Plans_WhenAnOperatorCreatesACustomPlan_ShouldShowItOnlyToThatOrganization()
    {
        var a = await app.RegisterAsync();
        var b = await app.RegisterAsync();
        var created = await (await app.OperatorAsync()).PostAsJsonAsync("/api/admin/billing/plans",
            new { product = "chatbot", tier = "pro", name = "Acme chatbot deal", interval = "year", unitAmount = 900, currency = "EUR", organizationId = a.OrganizationId });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        var planId = (await created.JsonAsync()).Id();

        var seenByA = await (await app.WithToken(a.Token, a.OrganizationId).GetAsync("/api/financial/plans")).JsonAsync();
        var seenByB = await (await app.WithToken(b.Token, b.OrganizationId).GetAsync("/api/financial/plans")).JsonAsync();
        Assert.Contains(seenByA.EnumerateArray(), p => p.Id() == planId);
        Assert.DoesNotContain(seenByB.EnumerateArray(), p => p.Id() == planId);
        Assert.Contains(seenByB.EnumerateArray(), p => p.Id() == BillingApi.PlatformPro);
        var denied = await app.WithToken(b.Token, b.OrganizationId).PostAsJsonAsync("/api/financial/subscriptions", new { planId });
        await Api.ExpectProblemAsync(denied, HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal("EUR", (await app.SubscribeAsync(a, planId)).GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Endpoints_WhenAnotherTenantOrARoleWithoutBillingCalls_ShouldHideOrForbid()
    {
        var a = await app.RegisterAsync();
        var b = await app.RegisterAsync();
        var member = await app.AddMemberAsync(a, "member");
        var subscription = await app.SubscribeAsync(a, BillingApi.PlatformBasic);
        var invoice = (await app.InvoicesOfAsync(subscription.Id())).Single();
        var other = app.WithToken(b.Token);

        await Api.ExpectProblemAsync(await other.GetAsync($"/api/financial/subscriptions/{subscription.Id()}"), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await other.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/cancel", new { atPeriodEnd = false }), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await other.GetAsync($"/api/financial/invoices/{invoice.Id}"), HttpStatusCode.NotFound);
        await Api.ExpectProblemAsync(await other.GetAsync($"/api/financial/invoices/{invoice.Id}/pdf"), HttpStatusCode.NotFound);
        Assert.Empty((await (await other.GetAsync("/api/financial/invoices")).JsonAsync()).GetProperty("items").EnumerateArray());
        Assert.Empty((await (await other.GetAsync("/api/financial/subscriptions")).JsonAsync()).GetProperty("items").EnumerateArray());
        var memberClient = app.WithToken(member.Token, a.OrganizationId);
        await Api.ExpectProblemAsync(await memberClient.GetAsync("/api/financial/subscriptions"), HttpStatusCode.Forbidden, "forbidden");
        await Api.ExpectProblemAsync(await memberClient.GetAsync($"/api/financial/invoices/{invoice.Id}"), HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(SubscriptionStatus.Active, (await app.SubscriptionRowAsync(subscription.Id())).Status);
    }

    [Fact]
    public async Task List_WhenTheOperatorFiltersAndPages_ShouldWalkEveryMatchOnce()
    {
        var owner = await app.RegisterAsync();
        var platform = await app.SubscribeAsync(owner, BillingApi.PlatformBasic);
        var chatbot = await app.SubscribeAsync(owner, BillingApi.ChatbotBasic);
        await app.SubscribeAsync(owner, BillingApi.EmailCampaignsBasic, skipTrial: false);
        var operatorClient = await app.OperatorAsync();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await operatorClient.GetAsync($"/api/admin/billing/subscriptions?organizationId={owner.OrganizationId}&status=active&limit=1&cursor={cursor}")).JsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.Id()));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        Assert.Equal([chatbot.Id(), platform.Id()], seen);
        var trialing = await (await app.WithToken(owner.Token, owner.OrganizationId).GetAsync("/api/financial/subscriptions?status=TRIALING")).JsonAsync();
        Assert.Single(trialing.GetProperty("items").EnumerateArray());
        await Api.ExpectProblemAsync(await operatorClient.GetAsync("/api/admin/billing/subscriptions?status=sleeping"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Endpoints_WhenGivenBadInput_ShouldAnswerProblems()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        var bad = await client.PostAsJsonAsync("/api/financial/subscriptions", new { planId = BillingApi.PlatformBasic, quantity = 0 });
        var problem = await Api.ExpectProblemAsync(bad, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("quantity", out _));
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/financial/subscriptions", new { planId = "plan_nope" }), HttpStatusCode.BadRequest, "validation_failed");
        var subscription = await app.SubscribeAsync(owner, BillingApi.PlatformBasic);
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/financial/subscriptions", new { planId = BillingApi.PlatformPro }), HttpStatusCode.Conflict, "subscription_exists");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/change/preview", new { planId = BillingApi.ChatbotBasic }),
            HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/change/preview", new { planId = BillingApi.PlatformBasic }),
            HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/financial/subscriptions/{subscription.Id()}/change/preview",
            new { quantity = 2, prorationAt = DateTimeOffset.UnixEpoch }), HttpStatusCode.BadRequest, "validation_failed");
        var operatorClient = await app.OperatorAsync();
        await Api.ExpectProblemAsync(await operatorClient.PutAsJsonAsync($"/api/admin/billing/subscriptions/{subscription.Id()}/discount", new { percent = 150 }),
            HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await operatorClient.PostAsJsonAsync("/api/admin/billing/plans", new { product = "rockets", name = "X", tier = "pro", interval = "month", unitAmount = 1.001 }),
            HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await operatorClient.PutAsJsonAsync($"/api/admin/billing/subscriptions/sub_{new string('0', 26)}/discount", new { percent = 5 }),
            HttpStatusCode.NotFound);
    }
}
