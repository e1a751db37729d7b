using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Billing;

/// <summary>Billing calls the tests share.</summary>
public static class BillingApi
{
    public static readonly string PlatformBasic = SeedPlans.IdOf(2);
    public static readonly string PlatformPro = SeedPlans.IdOf(3);
    public static readonly string PlatformProYearly = SeedPlans.IdOf(6);
    public static readonly string ChatbotBasic = SeedPlans.IdOf(8);
    public static readonly string EmailCampaignsBasic = SeedPlans.IdOf(10);

    public static async Task<HttpClient> OperatorAsync(this TestApp app) =>
        app.WithToken(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

    /// <summary>A client signed in now: after the test clock jumps, earlier tokens have expired.</summary>
    public static async Task<HttpClient> SignedInAsync(this TestApp app, Account account) =>
        app.WithToken(await app.LoginAsync(account.Email, account.Password), account.OrganizationId);

    public static async Task<JsonElement> SubscribeAsync(this TestApp app, Account account, string planId, int quantity = 1, bool skipTrial = true)
    {
        var response = await app.WithToken(account.Token, account.OrganizationId)
            .PostAsJsonAsync("/api/financial/subscriptions", new { planId, quantity, skipTrial });
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        return await response.JsonAsync();
    }

    public static async Task SetTaxRateAsync(this TestApp app, string organizationId, decimal rate)
    {
        var response = await (await app.OperatorAsync()).PutAsJsonAsync($"/api/admin/organizations/{organizationId}/billing-profile", new { taxRatePercent = rate });
        await Api.ExpectAsync(response, HttpStatusCode.OK);
    }

    public static async Task<JsonElement> RunBillingAsync(this TestApp app)
    {
        var response = await (await app.OperatorAsync()).PostAsync("/api/admin/billing/run", null);
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    public static Task<List<Invoice>> InvoicesOfAsync(this TestApp app, string subscriptionId) =>
        app.WithDbAsync(db => db.Set<Invoice>().IgnoreQueryFilters().Include(i => i.Lines).Where(i => i.SubscriptionId == subscriptionId)
            .OrderBy(i => i.Id).AsNoTracking().ToListAsync());

    public static Task<Subscription> SubscriptionRowAsync(this TestApp app, string id) =>
        app.WithDbAsync(db => db.Set<Subscription>().IgnoreQueryFilters().AsNoTracking().SingleAsync(s => s.Id == id));

    public static string Id(this JsonElement element) => element.GetProperty("id").GetString()!;
}
