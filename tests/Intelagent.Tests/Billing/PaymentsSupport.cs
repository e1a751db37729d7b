using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Ids;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Billing;

/// <summary>The server with a Stripe webhook secret and the default dunning schedule.</summary>
public sealed class PaymentsSqliteApp : SqliteApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => PaymentsSupport.Settings;
}

public sealed class PaymentsPostgresApp : PostgresApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => PaymentsSupport.Settings;
}

/// <summary>Open invoices and subscriptions made directly (the invoicing branch owns their API), payment calls, Stripe signatures.</summary>
public static class PaymentsSupport
{
    public const string WebhookSecret = "whsec_test_0123456789abcdef";

    public static readonly (string Key, string Value)[] Settings =
    [
        ("STRIPE_WEBHOOK_SECRET", WebhookSecret),
        ("Payments:DunningRetryDays", "1,3,5,7"),
    ];

    public static int NextYear => DateTime.UtcNow.Year + 2;

    public static async Task<string> OpenInvoiceAsync(this TestApp app, string organizationId, decimal total, string currency = "USD",
        string? subscriptionId = null, InvoiceStatus status = InvoiceStatus.Open)
    {
        return await app.WithDbAsync(async db =>
        {
            var id = Id.New(IdPrefix.Invoice, db.Clock);
            db.Set<Invoice>().Add(new Invoice
            {
                Id = id,
                OrganizationId = organizationId,
                Number = "INV-T-" + Guid.NewGuid().ToString("N")[..12],
                Status = status,
                Currency = currency,
                SubscriptionId = subscriptionId,
                PeriodStart = subscriptionId is null ? null : db.Clock.GetUtcNow(),
                Subtotal = total,
                Total = total,
                CreatedAt = db.Clock.GetUtcNow(),
                IssuedAt = db.Clock.GetUtcNow(),
                DueAt = db.Clock.GetUtcNow().AddDays(14),
            });
            await db.SaveChangesAsync();
            return id;
        }, organizationId);
    }

    public static async Task<string> ActiveSubscriptionAsync(this TestApp app, string organizationId)
    {
        return await app.WithDbAsync(async db =>
        {
            var now = db.Clock.GetUtcNow();
            var subscription = new Subscription
            {
                Id = Id.New(IdPrefix.Subscription, db.Clock),
                OrganizationId = organizationId,
                PlanId = "plan_test",
                Product = "platform",
                Tier = SubscriptionTier.Pro,
                Interval = BillingInterval.Month,
                UnitAmount = 49m,
                Currency = "USD",
                Status = SubscriptionStatus.Active,
                CurrentPeriodStart = now,
                CurrentPeriodEnd = now.AddMonths(1),
                CreatedAt = now,
                UpdatedAt = now,
            };
            db.Set<Subscription>().Add(subscription);
            SubscriptionLedger.Append(db, subscription, SubscriptionEventType.Start, now, db.Clock);
            await db.SaveChangesAsync();
            return subscription.Id;
        }, organizationId);
    }

    public static HttpRequestMessage PayRequest(string invoiceId, object source, string? key, string path = "/api/financial/process-payment")
    {
        var body = new Dictionary<string, object?> { ["invoiceId"] = invoiceId };
        foreach (var property in source.GetType().GetProperties()) body[property.Name] = property.GetValue(source);
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return request;
    }

    public static object Card(string number) => new { cardNumber = number, expMonth = 12, expYear = NextYear };

    /// <summary>Stripe's scheme: <c>t=unix,v1=hex(HMAC-SHA256(secret, "t.payload"))</c>.</summary>
    public static string Sign(string payload, long unixSeconds, string secret = WebhookSecret)
    {
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{unixSeconds}.{payload}"));
        return $"t={unixSeconds},v1={Convert.ToHexStringLower(signature)}";
    }

    public static string IntentEvent(string eventId, string type, long created, string intentId, string status, long amount, string? declineCode = null) =>
        Event(eventId, type, created, new
        {
            id = intentId,
            @object = "payment_intent",
            amount,
            currency = "usd",
            status,
            metadata = new { },
            last_payment_error = declineCode is null ? null : new { type = "card_error", code = "card_declined", decline_code = declineCode, message = "Your card was declined." },
        });

    public static string RefundedEvent(string eventId, long created, string intentId, long amount, long refunded) =>
        Event(eventId, "charge.refunded", created, new
        {
            id = "ch_" + Guid.NewGuid().ToString("N"),
            @object = "charge",
            amount,
            amount_refunded = refunded,
            currency = "usd",
            payment_intent = intentId,
            refunded = refunded == amount,
            metadata = new { },
        });

    private static string Event(string eventId, string type, long created, object data) => System.Text.Json.JsonSerializer.Serialize(new
    {
        id = eventId,
        @object = "event",
        api_version = "2025-01-27.acacia",
        created,
        livemode = false,
        pending_webhooks = 1,
        type,
        data = new { @object = data },
    });
}
