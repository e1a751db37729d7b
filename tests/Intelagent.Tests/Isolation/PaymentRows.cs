using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Platform.Ids;
using Intelagent.Tests.Billing;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Payments, payment methods, credit notes, refunds and the Stripe webhook (decision 013).</summary>
public static class PaymentRows
{
    public static readonly Row[] All =
    [
        R(Post, "/api/financial/process-payment", PaymentsProcess, (w, c) => PayAsync(w, c, "/api/financial/process-payment")),
        R(Post, "/api/financial/payments", PaymentsProcess, (w, c) => PayAsync(w, c, "/api/financial/payments")),
        R(Get, "/api/financial/payments", InvoicesRead, _ => "/api/financial/payments", header: true),
        R(Get, "/api/financial/payments/{id}", InvoicesRead, async (w, c) => w.Request(c, Get, $"/api/financial/payments/{await PaymentAsync(w)}")),
        R(Post, "/api/financial/payments/{id}/confirm", PaymentsProcess, async (w, c) => w.Request(c, Post, $"/api/financial/payments/{await PaymentAsync(w)}/confirm")),
        R(Get, "/api/financial/credit-notes", InvoicesRead, _ => "/api/financial/credit-notes", header: true),
        R(Get, "/api/financial/payment-methods", BillingRead, _ => "/api/financial/payment-methods", header: true),
        R(Post, "/api/financial/payment-methods", BillingManage, _ => "/api/financial/payment-methods", _ => new { token = "pm_card_visa" }, header: true),
        R(Delete, "/api/financial/payment-methods/{id}", BillingManage, async (w, c) => w.Request(c, Delete, $"/api/financial/payment-methods/{await MethodAsync(w)}")),
        R(Post, "/api/financial/webhooks/stripe", Row.Anonymous, _ => "/api/financial/webhooks/stripe", _ => new { id = "evt_unsigned" }),
        R(Get, "/api/admin/payments", PlatformFinanceRead, _ => "/api/admin/payments"),
        R(Post, "/api/admin/payments/{id}/refunds", PlatformOrganizationsManage, async (w, c) =>
            w.Request(c, Post, $"/api/admin/payments/{await PaymentAsync(w)}/refunds", new { amount = 1m })),
    ];

    /// <summary>A fresh open invoice per call, so every caller who may pay finds something to pay.</summary>
    private static async Task<HttpRequestMessage> PayAsync(World w, Caller c, string path)
    {
        var invoiceId = await w.App.OpenInvoiceAsync(w.Org, 10m);
        var request = w.Request(c, Post, path, new { invoiceId, token = "pm_card_visa" }, organizationHeader: true);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return request;
    }

    /// <summary>A payment row of the world's organization (its state does not matter to access).</summary>
    private static async Task<string> PaymentAsync(World w)
    {
        var invoiceId = await w.App.OpenInvoiceAsync(w.Org, 10m);
        return await w.App.WithDbAsync(async db =>
        {
            var id = Id.New(IdPrefix.Payment, db.Clock);
            db.Set<Payment>().Add(new Payment
            {
                Id = id,
                OrganizationId = w.Org,
                InvoiceId = invoiceId,
                Amount = 10m,
                Currency = "USD",
                Status = PaymentStatus.Failed,
                Provider = SandboxPaymentProvider.ProviderName,
                IdempotencyKey = Guid.NewGuid().ToString("N"),
                CreatedAt = db.Clock.GetUtcNow(),
                UpdatedAt = db.Clock.GetUtcNow(),
            });
            await db.SaveChangesAsync();
            return id;
        }, w.Org);
    }

    private static Task<string> MethodAsync(World w) => w.App.WithDbAsync(async db =>
    {
        var id = Id.New(IdPrefix.PaymentMethod, db.Clock);
        db.Set<PaymentMethod>().Add(new PaymentMethod
        {
            Id = id,
            OrganizationId = w.Org,
            Provider = SandboxPaymentProvider.ProviderName,
            Token = "pm_card_visa",
            Brand = "visa",
            Last4 = "4242",
            CreatedAt = db.Clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
        return id;
    }, w.Org);
}
