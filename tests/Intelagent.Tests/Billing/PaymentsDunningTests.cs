using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Intelagent.Tests.Billing.PaymentsSupport;

namespace Intelagent.Tests.Billing;

public sealed class PaymentsDunningTestsOnSqlite(PaymentsSqliteApp app) : PaymentsDunningTests<PaymentsSqliteApp>(app);
public sealed class PaymentsDunningTestsOnPostgres(PaymentsPostgresApp app) : PaymentsDunningTests<PaymentsPostgresApp>(app);

/// <summary>
/// The schedule is 1, 3, 5 and 7 days after the first failure; the clock is moved, the job's work is run directly.
/// The runner serves every organization, so tests count their own invoice's payments, not what a run did.
/// </summary>
public abstract class PaymentsDunningTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<int> RunDunningAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<DunningRunner>().RunDueAsync(CancellationToken.None);
    }

    private async Task<(Account Owner, string SubscriptionId, string InvoiceId)> FailedSubscriptionPaymentAsync()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PostAsJsonAsync("/api/financial/payment-methods", Card("4000 0000 0000 0002")), HttpStatusCode.Created);
        var methodId = (await (await client.GetAsync("/api/financial/payment-methods")).JsonAsync())[0].GetProperty("id").GetString();
        var subscriptionId = await app.ActiveSubscriptionAsync(owner.OrganizationId);
        var invoiceId = await app.OpenInvoiceAsync(owner.OrganizationId, 49m, subscriptionId: subscriptionId);
        var response = await client.SendAsync(PayRequest(invoiceId, new { paymentMethodId = methodId }, "renewal"));
        await Api.ExpectAsync(response, HttpStatusCode.Created);
        Assert.Equal("failed", (await response.JsonAsync()).GetProperty("status").GetString());
        return (owner, subscriptionId, invoiceId);
    }

    private Task<Subscription> SubscriptionAsync(Account owner, string id) =>
        app.WithDbAsync(db => db.Set<Subscription>().SingleAsync(s => s.Id == id), owner.OrganizationId);

    [Fact]
    public async Task Dunning_WhenEveryRetryFails_ShouldGoPastDueThenCancelAndNotifyEachStep()
    {
        var (owner, subscriptionId, invoiceId) = await FailedSubscriptionPaymentAsync();
        Assert.Equal(SubscriptionStatus.PastDue, (await SubscriptionAsync(owner, subscriptionId)).Status);
        var started = app.Clock.GetUtcNow();
        await RunDunningAsync(); // nothing due before day 1
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<Payment>().CountAsync(p => p.InvoiceId == invoiceId), owner.OrganizationId));

        foreach (var day in new[] { 1, 3, 5, 7 })
        {
            app.Clock.SetUtcNow(started.AddDays(day).AddMinutes(1));
            await RunDunningAsync();
        }

        var payments = await app.WithDbAsync(db => db.Set<Payment>().Where(p => p.InvoiceId == invoiceId).OrderBy(p => p.Attempt).ToListAsync(), owner.OrganizationId);
        Assert.Equal([1, 2, 3, 4, 5], payments.Select(p => p.Attempt));
        Assert.All(payments, p => Assert.Equal(PaymentStatus.Failed, p.Status));
        var subscription = await SubscriptionAsync(owner, subscriptionId);
        Assert.Equal(SubscriptionStatus.Canceled, subscription.Status);
        Assert.NotNull(subscription.CanceledAt);
        var ledger = await app.WithDbAsync(db => db.Set<SubscriptionEvent>().Where(e => e.SubscriptionId == subscriptionId).OrderBy(e => e.Id).Select(e => e.Type).ToListAsync(), owner.OrganizationId);
        Assert.Equal([SubscriptionEventType.Start, SubscriptionEventType.Cancel], ledger);
        Assert.Equal(InvoiceStatus.Uncollectible, await app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == invoiceId).Select(i => i.Status).SingleAsync(), owner.OrganizationId));

        app.Clock.Advance(TimeSpan.FromDays(10));
        await RunDunningAsync();
        Assert.Equal(5, await app.WithDbAsync(db => db.Set<Payment>().CountAsync(p => p.InvoiceId == invoiceId), owner.OrganizationId));

        await app.DispatchEventsAsync();
        var notifications = await app.WithDbAsync(db => db.Notifications.Where(n => n.UserId == owner.UserId && n.Type == "payment.failed").Select(n => n.Title).ToListAsync(), owner.OrganizationId);
        Assert.Equal(5, notifications.Count);
        Assert.Contains("Subscription canceled for non-payment", notifications);
        var hubEvents = await app.WithDbAsync(db => db.Set<RealtimeEvent>().IgnoreQueryFilters().Where(e => e.OrganizationId == owner.OrganizationId && e.Type == RealtimeEventTypes.PaymentFailed).Select(e => e.Payload).ToListAsync(), owner.OrganizationId);
        Assert.Equal(5, hubEvents.Count);
        Assert.Contains(hubEvents, p => p.Contains("\"subscriptionCanceled\":true"));
    }

    [Fact]
    public async Task Dunning_WhenARetrySucceeds_ShouldPayTheInvoiceAndMakeTheSubscriptionActiveAgain()
    {
        var (owner, subscriptionId, invoiceId) = await FailedSubscriptionPaymentAsync();
        // The customer saves a working card; it becomes the default that dunning charges.
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync("/api/financial/payment-methods", new { token = "pm_card_visa" }), HttpStatusCode.Created);

        app.Clock.Advance(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(1)));
        await RunDunningAsync();

        Assert.Equal(SubscriptionStatus.Active, (await SubscriptionAsync(owner, subscriptionId)).Status);
        Assert.Equal(InvoiceStatus.Paid, await app.WithDbAsync(db => db.Set<Invoice>().Where(i => i.Id == invoiceId).Select(i => i.Status).SingleAsync(), owner.OrganizationId));
        Assert.Equal(DunningStatus.Recovered, await app.WithDbAsync(db => db.Set<DunningCase>().Where(c => c.InvoiceId == invoiceId).Select(c => c.Status).SingleAsync(), owner.OrganizationId));
        await app.DispatchEventsAsync();
        Assert.True(await app.WithDbAsync(db => db.Set<RealtimeEvent>().IgnoreQueryFilters().AnyAsync(e => e.OrganizationId == owner.OrganizationId && e.Type == RealtimeEventTypes.PaymentSucceeded), owner.OrganizationId));
        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.UserId == owner.UserId && n.Type == "payment.succeeded"), owner.OrganizationId));
    }

    [Fact]
    public async Task Dunning_RunTwiceForOneStep_ShouldChargeTheRetryOnce()
    {
        var (owner, _, invoiceId) = await FailedSubscriptionPaymentAsync();
        app.Clock.Advance(TimeSpan.FromDays(1).Add(TimeSpan.FromMinutes(1)));

        await Task.WhenAll(RunDunningAsync(), RunDunningAsync());
        await RunDunningAsync();

        var attempts = await app.WithDbAsync(db => db.Set<Payment>().Where(p => p.InvoiceId == invoiceId).Select(p => p.Attempt).ToListAsync(), owner.OrganizationId);
        Assert.Equal([1, 2], attempts.Order());
    }
}
