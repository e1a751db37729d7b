using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using static Intelagent.Server.Platform.Authorization.Permissions;
using P = Intelagent.Server.Platform.Authorization.Permissions;

namespace Intelagent.Tests.Isolation;

public sealed class IsolationTestsOnSqlite(SqliteApp app) : IsolationTests<SqliteApp>(app);
public sealed class IsolationTestsOnPostgres(PostgresApp app) : IsolationTests<PostgresApp>(app);

/// <summary>
/// Every endpoint x every caller (anonymous, another tenant, the operator, the five roles): allowed,
/// 401, 403 or 404 as the permission catalogue says. A new endpoint that is not in <see cref="Rows"/>
/// fails <see cref="EveryEndpoint_ShouldBeInTheMatrix_WithTheDeclaredAccess"/>.
/// </summary>
public abstract class IsolationTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    /// <summary>Every module's rows; a module adds its own file beside this one and one entry here.</summary>
    public static readonly Row[] Rows = [.. FoundationRows.All, .. AuditRows.All, .. RealtimeRows.All, .. AccessRows.All, .. UsageRows.All, .. SsoRows.All, .. DocumentRows.All, .. BillingRows.All, .. PaymentRows.All, .. ComplianceRows.All, .. FinanceRows.All, .. SecurityRestRows.All, .. PresenceRows.All, .. InsightRows.All, .. PredictionRows.All, .. QueryRows.All];

    public static TheoryData<string> RowNames => new(Rows.Select(r => r.ToString()));

    /// <summary>Callers in an order where destructive calls by the owner come last.</summary>
    private static readonly Caller[] Callers = [Caller.Anonymous, Caller.Foreign, Caller.Operator, Caller.Viewer, Caller.Member, Caller.Manager, Caller.Admin, Caller.Owner];

    [Theory]
    [MemberData(nameof(RowNames))]
    public async Task Endpoint_ForEveryCaller_ShouldAllowDenyOrHide(string rowName)
    {
        var row = Rows.Single(r => r.ToString() == rowName);
        var world = await World.CreateAsync(app);
        var failures = new List<string>();
        foreach (var caller in row.Access == Row.Anonymous ? [Caller.Anonymous] : Callers)
        {
            var response = await app.Anonymous().SendAsync(await row.Build(world, caller));
            var status = (int)response.StatusCode;
            var expected = Expected(row, caller);
            var ok = expected is int exact ? status == exact : status is not (401 or 403 or 404) && status < 500;
            if (!ok) failures.Add($"{caller}: expected {expected?.ToString() ?? "allowed"}, got {status} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.True(failures.Count == 0, $"{row}:\n" + string.Join("\n", failures));
    }

    /// <summary>An exact status, or null for "allowed" (any answer past authorization).</summary>
    private static int? Expected(Row row, Caller caller)
    {
        if (row.Overrides.TryGetValue(caller, out var overridden)) return overridden;
        if (caller == Caller.Anonymous) return row.Access == Row.Anonymous ? null : 401;
        if (row.Permission is not { } permission) return null;
        if (P.IsPlatform(permission)) return caller == Caller.Operator ? null : 403;
        return caller switch
        {
            Caller.Foreign => 404,
            Caller.Operator => P.OperatorMayUseInAnyTenant(permission) ? null : 403,
            _ => RolePermissions.Grants(RoleOf(caller), permission) ? null : 403,
        };
    }

    private static Role RoleOf(Caller caller) => Enum.Parse<Role>(caller.ToString());

    [Fact]
    public void EveryEndpoint_ShouldBeInTheMatrix_WithTheDeclaredAccess()
    {
        var endpoints = app.Services.GetServices<EndpointDataSource>().SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (Key: $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}", Endpoint: e)))
            .ToList();
        var rows = Rows.ToDictionary(r => r.ToString());

        var missing = endpoints.Where(e => !rows.ContainsKey(e.Key)).Select(e => e.Key).ToList();
        Assert.True(missing.Count == 0, "Endpoints missing from the isolation matrix:\n" + string.Join("\n", missing));
        var stale = rows.Keys.Except(endpoints.Select(e => e.Key)).ToList();
        Assert.True(stale.Count == 0, "Matrix rows without an endpoint:\n" + string.Join("\n", stale));

        foreach (var (key, endpoint) in endpoints)
        {
            var declared = endpoint.Metadata.GetMetadata<PermissionMetadata>()?.Permission
                ?? (endpoint.Metadata.GetMetadata<SignedInMetadata>() is not null ? Row.SignedIn
                : endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null ? Row.Anonymous : "undeclared");
            Assert.True(rows[key].Access == declared, $"{key} declares '{declared}' but the matrix expects '{rows[key].Access}'");
        }
    }
}
