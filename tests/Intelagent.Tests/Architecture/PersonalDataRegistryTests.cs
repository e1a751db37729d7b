using System.Reflection;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Security.DataRequests;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Architecture;

/// <summary>
/// Every entity of the EF model that holds personal data must be covered by a registered
/// <see cref="IPersonalDataHandler"/> (so data requests reach it) or say why it holds none, so a
/// module added later (billing, insights) cannot forget erasure.
/// </summary>
public sealed class PersonalDataRegistryTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    /// <summary>Property names that usually hold personal data (a suffix match: LastUsedIp, NormalizedEmail, ActorName).</summary>
    private static readonly string[] PersonalNameSuffixes = ["Email", "Name", "Phone", "PhoneNumber", "Ip", "IpAddress", "UserAgent", "Address"];

    public static IEnumerable<PropertyInfo> PersonalProperties(Type entity) => entity
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<NoPersonalDataAttribute>() is null)
        .Where(p => p.GetCustomAttribute<PersonalDataAttribute>() is not null
            || (p.PropertyType == typeof(string) && PersonalNameSuffixes.Any(s => p.Name.EndsWith(s, StringComparison.Ordinal))));

    [Fact]
    public async Task EveryEntityWithPersonalData_ShouldBeCoveredByAHandlerOrMarkedNotPersonal()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var covered = scope.ServiceProvider.GetServices<IPersonalDataHandler>().SelectMany(h => h.Covers).ToHashSet();

        var uncovered = db.Model.GetEntityTypes().Select(e => e.ClrType).Distinct()
            .Where(t => t.GetCustomAttribute<NoPersonalDataAttribute>() is null && !covered.Contains(t))
            .Select(t => (Type: t, Properties: PersonalProperties(t).Select(p => p.Name).ToList()))
            .Where(x => x.Properties.Count > 0)
            .Select(x => $"{x.Type.FullName} ({string.Join(", ", x.Properties)})")
            .ToList();

        Assert.True(uncovered.Count == 0,
            "Entities with personal data but no IPersonalDataHandler covering them (register one, or mark the class or property [NoPersonalData(\"why\")]): "
            + string.Join("; ", uncovered));
    }

    [Fact]
    public async Task Handlers_ShouldCoverOnlyEntitiesOfTheModel_AndHaveDistinctSections()
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var handlers = scope.ServiceProvider.GetServices<IPersonalDataHandler>().ToList();
        var model = db.Model.GetEntityTypes().Select(e => e.ClrType).ToHashSet();

        Assert.All(handlers.SelectMany(h => h.Covers), t => Assert.Contains(t, model));
        Assert.Equal(handlers.Count, handlers.Select(h => h.Section).Distinct().Count());
        var all = handlers.SelectMany(h => h.Covers).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void TheHeuristic_ShouldFlagTheKnownPersonalFields()
    {
        Assert.Contains("Email", PersonalProperties(typeof(Intelagent.Server.Identity.User)).Select(p => p.Name));
        Assert.Contains("LastUsedIp", PersonalProperties(typeof(Intelagent.Server.Identity.ApiKeys.ApiKey)).Select(p => p.Name));
        Assert.Contains("ExportJson", PersonalProperties(typeof(DataRequest)).Select(p => p.Name));
        Assert.DoesNotContain("Name", PersonalProperties(typeof(Intelagent.Server.Organizations.Organization)).Select(p => p.Name));
    }
}
