using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Portal;
using Intelagent.Server.Portal.Admin;
using Intelagent.Server.Security.Access;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Intelagent.Tests.Portal;

public sealed class AdminQueriesTestsOnSqlite(SqliteApp app) : AdminQueriesTests<SqliteApp>(app);
public sealed class AdminQueriesTestsOnPostgres(PostgresApp app) : AdminQueriesTests<PostgresApp>(app);

/// <summary>The admin portal's cross-tenant reads: behind the operator's permissions, and the same figures as the finance API.</summary>
public abstract class AdminQueriesTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    /// <summary>Two imported customers paying now (150 and 40 a month), one who churned: the stored Organization.Mrr stays 0 for all.</summary>
    private static object ImportFile(string prefix, DateTimeOffset now)
    {
        var start = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(-2).AddDays(3);
        object Event(string id, string customer, string type, DateTimeOffset at, decimal amount) => new
        {
            id = prefix + id,
            customerId = prefix + customer,
            subscriptionId = prefix + customer + "-s",
            type,
            at,
            product = "chatbot",
            tier = "pro",
            interval = "month",
            amount,
            currency = "USD",
            quantity = 1,
            discountPercent = 0m,
        };
        return new
        {
            customers = new[] { "a", "b", "c" }.Select(c => new { id = prefix + c, name = $"Imported {prefix}{c}", segment = "smb", country = "DE", createdAt = start.AddDays(-10) }),
            subscriptionEvents = new[]
            {
                Event("e1", "a", "start", start, 100m), Event("e2", "a", "change", start.AddMonths(1), 150m),
                Event("e3", "b", "start", start, 40m),
                Event("e4", "c", "start", start, 70m), Event("e5", "c", "cancel", start.AddMonths(1), 70m),
            },
        };
    }

    [Fact]
    public async Task CurrentMrr_ForImportedCustomers_ShouldBeTheFinanceEnginesFigureNotTheStoredColumn()
    {
        var operatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password);
        var prefix = $"aq{Guid.NewGuid():N}"[..10] + "-";
        await Api.ExpectAsync(await app.WithToken(operatorToken).PostAsJsonAsync("/api/financial/import", ImportFile(prefix, app.Clock.GetUtcNow())), HttpStatusCode.OK);
        var ids = await app.WithDbAsync(db => db.Set<FinancialCustomer>().IgnoreQueryFilters().Where(c => c.ExternalId!.StartsWith(prefix))
            .ToDictionaryAsync(c => c.ExternalId![prefix.Length..], c => c.OrganizationId));
        var operatorPortal = await SignedInAsync(operatorToken);

        var mrr = await operatorPortal.RunAsync(Permissions.PlatformFinanceRead, (services, cancellationToken) =>
            AdminQueries.CurrentMrrAcrossTenantsAsync(services, ids.Values.ToList(), cancellationToken));

        Assert.True(mrr.IsSuccess, mrr.Error?.Detail);
        Assert.Equal(new[] { 150m, 40m, 0m }, new[] { "a", "b", "c" }.Select(c => mrr.Value![ids[c]]));
        Assert.True(await app.WithDbAsync(db => db.Organizations.IgnoreQueryFilters().Where(o => ids.Values.Contains(o.Id)).AllAsync(o => o.Mrr == 0m)),
            "the stored column is not refreshed by an import, which is why the list must not show it");
        var economics = await (await app.WithToken(operatorToken).GetAsync("/api/financial/customer-economics?limit=200")).Content
            .ReadFromJsonAsync<List<CustomerEconomicsResponse>>(new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
        Assert.Equal(150m, economics!.Single(e => e.OrganizationId == ids["a"]).Mrr);
    }

    [Fact]
    public async Task AdminQueries_ForAMember_ShouldBeRefusedLikeTheApi()
    {
        var owner = await app.RegisterAsync();
        var portal = await SignedInAsync(owner.Token);

        var mrr = await portal.RunAsync(Permissions.PlatformFinanceRead, (services, cancellationToken) =>
            AdminQueries.CurrentMrrAcrossTenantsAsync(services, [owner.OrganizationId], cancellationToken));
        var usage = await portal.RunAsync(Permissions.PlatformOrganizationsRead, (services, cancellationToken) =>
            AdminQueries.UsageAcrossTenantsAsync(services, null, null, cancellationToken));

        Assert.Equal((403, "operator_only"), (mrr.Error?.Status, mrr.Error?.Code));
        Assert.Equal((403, "operator_only"), (usage.Error?.Status, usage.Error?.Code));
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).GetAsync("/api/financial/metrics"), HttpStatusCode.Forbidden, "operator_only");
    }

    [Fact]
    public async Task UsageAndHealth_ForTheOperator_ShouldFilterByNameAndCountSeats()
    {
        var name = $"Usage {Guid.NewGuid():N}"[..16];
        var owner = await app.RegisterAsync(organizationName: name);
        var operatorPortal = await SignedInAsync(await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password));

        var usage = await operatorPortal.RunAsync(Permissions.PlatformOrganizationsRead, (services, cancellationToken) =>
            AdminQueries.UsageAcrossTenantsAsync(services, name.ToUpperInvariant(), null, cancellationToken));
        var health = await operatorPortal.RunAsync(Permissions.PlatformOrganizationsRead, async (services, cancellationToken) =>
            (Intelagent.Server.Platform.Problems.Result<Dictionary<string, HealthSignals>>)await AdminQueries.HealthSignalsAcrossTenantsAsync(services, [owner.OrganizationId], cancellationToken));

        var row = Assert.Single(usage.Value.Items);
        Assert.Equal(owner.OrganizationId, row.OrganizationId);
        Assert.Equal(1, row.Seats.Used);
        var signals = health.Value![owner.OrganizationId];
        Assert.Equal((0L, 0L, 0), (signals.CallsLastWeek, signals.CallsWeekBefore, signals.FailedPayments));
        Assert.Equal(HealthStatus.Healthy, OrganizationHealth.Assess(signals).Status);
    }

    /// <summary>A portal session as a circuit would hold it: the principal the JWT scheme made from the cookie.</summary>
    private Task<PortalSession> SignedInAsync(string token) => PortalSessions.SignedInAsync(app.Services, token);
}
