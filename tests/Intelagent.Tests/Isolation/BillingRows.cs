using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Tests.Infrastructure;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Catalogue, subscriptions, invoices, billing profiles and the billing run.</summary>
public static class BillingRows
{
    private static readonly string Basic = SeedPlans.IdOf(2);
    private static readonly string Pro = SeedPlans.IdOf(3);

    /// <summary>The world's live platform subscription, started by the owner (the world is fresh per row).</summary>
    private static async Task<string> SubscriptionAsync(World w)
    {
        var client = w.App.WithToken(w.Owner.Token, w.Org);
        var created = await client.PostAsJsonAsync("/api/financial/subscriptions", new { planId = Basic, quantity = 1, skipTrial = true });
        if (created.StatusCode == HttpStatusCode.Created) return (await created.JsonAsync()).GetProperty("id").GetString()!;
        await Api.ExpectAsync(created, HttpStatusCode.Conflict);
        var list = await client.GetAsync("/api/financial/subscriptions?product=platform");
        await Api.ExpectAsync(list, HttpStatusCode.OK);
        return (await list.JsonAsync()).GetProperty("items")[0].GetProperty("id").GetString()!;
    }

    private static async Task<string> InvoiceAsync(World w, bool finalize)
    {
        var operatorClient = w.App.WithToken(w.OperatorToken);
        var response = await operatorClient.PostAsJsonAsync("/api/financial/invoices",
            new { organizationId = w.Org, lines = new[] { new { description = "Setup", quantity = 1, unitAmount = 100 } }, finalize });
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    public static readonly Row[] All =
    [
        R(Get, "/api/financial/plans", BillingRead, _ => "/api/financial/plans", header: true),
        R(Get, "/api/financial/subscriptions", BillingRead, _ => "/api/financial/subscriptions", header: true),
        R(Post, "/api/financial/subscriptions", BillingManage, _ => "/api/financial/subscriptions", _ => new { planId = SeedPlans.IdOf(8), quantity = 1 }, header: true),
        R(Get, "/api/financial/subscriptions/{id}", BillingRead, async (w, c) => w.Request(c, Get, $"/api/financial/subscriptions/{await SubscriptionAsync(w)}")),
        R(Post, "/api/financial/subscriptions/{id}/change/preview", BillingManage, async (w, c) =>
            w.Request(c, Post, $"/api/financial/subscriptions/{await SubscriptionAsync(w)}/change/preview", new { planId = Pro })),
        R(Post, "/api/financial/subscriptions/{id}/change", BillingManage, async (w, c) =>
            w.Request(c, Post, $"/api/financial/subscriptions/{await SubscriptionAsync(w)}/change", new { quantity = 2 })),
        R(Post, "/api/financial/subscriptions/{id}/cancel", BillingManage, async (w, c) =>
            w.Request(c, Post, $"/api/financial/subscriptions/{await SubscriptionAsync(w)}/cancel", new { atPeriodEnd = true })),
        R(Get, "/api/admin/billing/plans", PlatformFinanceRead, _ => "/api/admin/billing/plans"),
        R(Post, "/api/admin/billing/plans", PlatformOrganizationsManage, _ => "/api/admin/billing/plans",
            w => new { product = "chatbot", tier = "pro", name = Unique("Custom"), interval = "month", unitAmount = 80, organizationId = w.Org }),
        R(Patch, "/api/admin/billing/plans/{id}", PlatformOrganizationsManage, _ => $"/api/admin/billing/plans/{SeedPlans.IdOf(13)}", _ => new { name = "Lead Enrichment Pro" }),
        R(Get, "/api/admin/billing/subscriptions", PlatformFinanceRead, _ => "/api/admin/billing/subscriptions"),
        R(Put, "/api/admin/billing/subscriptions/{id}/discount", PlatformOrganizationsManage, async (w, c) =>
            w.Request(c, Put, $"/api/admin/billing/subscriptions/{await SubscriptionAsync(w)}/discount", new { percent = 10 })),

        R(Get, "/api/financial/invoices", InvoicesRead, _ => "/api/financial/invoices", header: true),
        R(Get, "/api/financial/invoices/{id}", InvoicesRead, async (w, c) => w.Request(c, Get, $"/api/financial/invoices/{await InvoiceAsync(w, true)}")),
        R(Get, "/api/financial/invoices/{id}/pdf", InvoicesRead, async (w, c) => w.Request(c, Get, $"/api/financial/invoices/{await InvoiceAsync(w, true)}/pdf")),
        R(Post, "/api/financial/invoices", PlatformOrganizationsManage, _ => "/api/financial/invoices",
            w => new { organizationId = w.Org, lines = new[] { new { description = "Consulting", quantity = 2, unitAmount = 150 } } }),
        R(Get, "/api/financial/billing-profile", BillingRead, _ => "/api/financial/billing-profile", header: true),
        R(Put, "/api/financial/billing-profile", BillingManage, _ => "/api/financial/billing-profile", _ => new { billingEmail = "billing@example.test" }, header: true),
        R(Get, "/api/admin/billing/invoices", PlatformFinanceRead, _ => "/api/admin/billing/invoices"),
        R(Post, "/api/admin/billing/invoices/{id}/finalize", PlatformOrganizationsManage, async (w, c) =>
            w.Request(c, Post, $"/api/admin/billing/invoices/{await InvoiceAsync(w, false)}/finalize")),
        R(Post, "/api/admin/billing/invoices/{id}/void", PlatformOrganizationsManage, async (w, c) =>
            w.Request(c, Post, $"/api/admin/billing/invoices/{await InvoiceAsync(w, true)}/void")),
        R(Put, "/api/admin/organizations/{id}/billing-profile", PlatformOrganizationsManage, w => $"/api/admin/organizations/{w.Org}/billing-profile",
            _ => new { taxRatePercent = 8.25m }),
        R(Post, "/api/admin/billing/run", PlatformOrganizationsManage, _ => "/api/admin/billing/run"),
    ];
}
