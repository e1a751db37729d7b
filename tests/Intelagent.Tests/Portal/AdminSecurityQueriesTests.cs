using System.Net.Http.Json;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Portal.Admin.Security;
using Intelagent.Server.Security.Alerts;
using Intelagent.Server.Security.Incidents;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Portal;

public sealed class AdminSecurityQueriesTestsOnSqlite(SqliteApp app) : AdminSecurityQueriesTests<SqliteApp>(app);
public sealed class AdminSecurityQueriesTestsOnPostgres(PostgresApp app) : AdminSecurityQueriesTests<PostgresApp>(app);

/// <summary>The operators' security view: every organization's alerts and incidents, named, filtered, and refused to anyone else.</summary>
public abstract class AdminSecurityQueriesTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task AlertsAcrossTenants_ShouldListEveryOrganizationsAlertsWithItsName_NewestFirst()
    {
        var first = await app.RegisterAsync(organizationName: "Alerted One " + Guid.NewGuid().ToString("N")[..6]);
        var second = await app.RegisterAsync(organizationName: "Alerted Two " + Guid.NewGuid().ToString("N")[..6]);
        var older = await AddAlertAsync(first, "high");
        var newer = await AddAlertAsync(second, "medium");

        var rows = await AsOperatorAsync(services => AdminSecurityQueries.AlertsAcrossTenantsAsync(services, null, 100, CancellationToken.None));

        Assert.True(rows.IsSuccess, rows.Error?.Detail);
        var mine = rows.Value!.Where(r => r.Id == older || r.Id == newer).ToList();
        Assert.Equal([newer, older], mine.Select(r => r.Id));
        Assert.Equal(await NameOfAsync(second), mine[0].OrganizationName);
        Assert.Equal(await NameOfAsync(first), mine[1].OrganizationName);
        Assert.Equal(first.OrganizationId, mine[1].OrganizationId);
    }

    [Fact]
    public async Task AlertsAcrossTenants_WithASeverity_ShouldListOnlyThatSeverity()
    {
        var owner = await app.RegisterAsync();
        var high = await AddAlertAsync(owner, "high");
        var medium = await AddAlertAsync(owner, "medium");

        var rows = await AsOperatorAsync(services => AdminSecurityQueries.AlertsAcrossTenantsAsync(services, "medium", 100, CancellationToken.None));

        Assert.Contains(rows.Value!, r => r.Id == medium);
        Assert.DoesNotContain(rows.Value!, r => r.Id == high);
        Assert.All(rows.Value!, r => Assert.Equal("medium", r.Severity));
    }

    [Fact]
    public async Task AlertsAcrossTenants_ShouldSayWhoAcknowledgedEach_AndListOnlyOpenOnesWhenAsked()
    {
        var owner = await app.RegisterAsync();
        var open = await AddAlertAsync(owner, "high");
        var seen = await AddAlertAsync(owner, "high");
        await Api.ExpectAsync(await app.WithToken(owner.Token, owner.OrganizationId).PostAsJsonAsync($"/api/security/alerts/{seen}/acknowledge", new { note = "checked" }),
            System.Net.HttpStatusCode.OK);

        var all = await AsOperatorAsync(services => AdminSecurityQueries.AlertsAcrossTenantsAsync(services, null, 100, CancellationToken.None));
        var openOnly = await AsOperatorAsync(services => AdminSecurityQueries.AlertsAcrossTenantsAsync(services, null, 100, CancellationToken.None, openOnly: true));

        var acknowledged = Assert.Single(all.Value!, r => r.Id == seen);
        Assert.NotNull(acknowledged.AcknowledgedAt);
        Assert.Equal(await app.WithDbAsync(db => db.Users.Where(u => u.Id == owner.UserId).Select(u => u.Name).SingleAsync()), acknowledged.AcknowledgedByName);
        Assert.Null(Assert.Single(all.Value!, r => r.Id == open).AcknowledgedAt);
        Assert.Contains(openOnly.Value!, r => r.Id == open);
        Assert.DoesNotContain(openOnly.Value!, r => r.Id == seen);
        Assert.All(openOnly.Value!, r => Assert.Null(r.AcknowledgedAt));
    }

    [Fact]
    public async Task IncidentsAcrossTenants_ShouldNameTheOrganization_AndFilterByStatus()
    {
        var first = await app.RegisterAsync(organizationName: "Incident One");
        var second = await app.RegisterAsync(organizationName: "Incident Two");
        var open = await AddIncidentAsync(first, IncidentStatus.Open);
        var resolved = await AddIncidentAsync(second, IncidentStatus.Resolved);

        var all = await AsOperatorAsync(services => AdminSecurityQueries.IncidentsAcrossTenantsAsync(services, null, 100, CancellationToken.None));
        var onlyOpen = await AsOperatorAsync(services => AdminSecurityQueries.IncidentsAcrossTenantsAsync(services, IncidentStatus.Open, 100, CancellationToken.None));

        Assert.Equal("Incident One", Assert.Single(all.Value!, r => r.Id == open).OrganizationName);
        Assert.Equal("Incident Two", Assert.Single(all.Value!, r => r.Id == resolved).OrganizationName);
        Assert.Contains(onlyOpen.Value!, r => r.Id == open);
        Assert.DoesNotContain(onlyOpen.Value!, r => r.Id == resolved);
    }

    [Fact]
    public async Task SummaryAcrossTenants_ShouldCountAlertsPerSeverityAndTheOrganizationsAlertedSince()
    {
        // Alerts dated a year ahead: no other test's alerts fall in this window.
        var since = app.Clock.GetUtcNow().AddDays(365);
        var first = await app.RegisterAsync();
        var second = await app.RegisterAsync();
        await AddAlertAsync(first, "high", since.AddMinutes(1));
        await AddAlertAsync(first, "high", since.AddMinutes(2));
        await AddAlertAsync(second, "medium", since.AddMinutes(3));
        await AddAlertAsync(second, "low", since.AddMinutes(-5)); // before the window

        var summary = await AsOperatorAsync(services => AdminSecurityQueries.SummaryAcrossTenantsAsync(services, since, CancellationToken.None));

        Assert.Equal(new Dictionary<string, int> { ["high"] = 2, ["medium"] = 1 }, summary.Value!.AlertsBySeverity);
        Assert.Equal(2, summary.Value.OrganizationsAlerted);
    }

    [Fact]
    public async Task Queries_ForSomeoneNotAnOperator_ShouldBeRefused()
    {
        var owner = await app.RegisterAsync();
        await AddAlertAsync(owner, "high");

        await using var scope = app.Services.CreateAsyncScope();
        var request = scope.ServiceProvider.GetRequiredService<RequestContext>();
        request.UserId = owner.UserId;
        request.SetTenant(owner.OrganizationId, Intelagent.Server.Platform.Authorization.Role.Owner);

        var alerts = await AdminSecurityQueries.AlertsAcrossTenantsAsync(scope.ServiceProvider, null, 100, CancellationToken.None);
        var incidents = await AdminSecurityQueries.IncidentsAcrossTenantsAsync(scope.ServiceProvider, null, 100, CancellationToken.None);

        Assert.Equal(403, alerts.Error?.Status);
        Assert.Equal(403, incidents.Error?.Status);
    }

    private async Task<T> AsOperatorAsync<T>(Func<IServiceProvider, Task<T>> query)
    {
        await using var scope = app.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<RequestContext>().IsOperator = true;
        return await query(scope.ServiceProvider);
    }

    private Task<string> NameOfAsync(Account account) =>
        app.WithDbAsync(db => db.Organizations.Where(o => o.Id == account.OrganizationId).Select(o => o.Name).FirstAsync(), account.OrganizationId);

    private async Task<string> AddAlertAsync(Account account, string severity, DateTimeOffset? at = null)
    {
        var id = Id.New(IdPrefix.SecurityAlert, app.Clock);
        await app.WithDbAsync(db =>
        {
            db.Set<SecurityAlert>().Add(new SecurityAlert
            {
                Id = id,
                OrganizationId = account.OrganizationId,
                Kind = SecurityAlertKinds.FailedSignInBurst,
                Severity = severity,
                Title = "Repeated failed sign-ins",
                SubjectUserId = account.UserId,
                CreatedAt = at ?? app.Clock.GetUtcNow(),
            });
            return db.SaveChangesAsync();
        }, account.OrganizationId);
        return id;
    }

    private async Task<string> AddIncidentAsync(Account account, IncidentStatus status)
    {
        var id = Id.New(IdPrefix.Incident, app.Clock);
        await app.WithDbAsync(db =>
        {
            var now = app.Clock.GetUtcNow();
            db.Set<Incident>().Add(new Incident
            {
                Id = id,
                OrganizationId = account.OrganizationId,
                Title = "Lost laptop",
                Severity = IncidentSeverity.High,
                Status = status,
                CreatedAt = now,
                UpdatedAt = now,
                ResolvedAt = status == IncidentStatus.Resolved ? now : null,
            });
            return db.SaveChangesAsync();
        }, account.OrganizationId);
        return id;
    }
}
