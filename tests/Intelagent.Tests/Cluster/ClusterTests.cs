using System.Net;
using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Security;
using Microsoft.AspNetCore.Http.Connections;

namespace Intelagent.Tests.Cluster;

/// <summary>Two server processes behind nginx on one PostgreSQL and one Redis behave as one platform.</summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture cluster) : IAsyncLifetime
{
    public Task InitializeAsync() => cluster.HealAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SessionFromNodeA_ShouldWorkOnNodeB_WithTheTokenTheCookieAndTheProtectedSecrets()
    {
        var (owner, cookie) = await ClusterFixture.RegisterAsync(cluster.A.BaseUrl);
        Assert.NotNull(cookie);

        using var withToken = ClusterFixture.Client(cluster.B.BaseUrl, owner.Token);
        var me = await withToken.GetAsync("/api/auth/me");
        await Api.ExpectAsync(me, HttpStatusCode.OK);
        Assert.Equal(owner.UserId, (await me.JsonAsync()).GetProperty("id").GetString());

        using var withCookie = ClusterFixture.Client(cluster.B.BaseUrl);
        withCookie.DefaultRequestHeaders.Add("Cookie", cookie);
        await Api.ExpectAsync(await withCookie.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);

        // The Data Protection key ring is shared as well: a TOTP seed protected on A is read on B.
        using var onA = ClusterFixture.Client(cluster.A.BaseUrl, owner.Token);
        var enroll = await onA.PostAsync("/api/auth/2fa/totp/enroll", null);
        await Api.ExpectAsync(enroll, HttpStatusCode.OK);
        var secret = OtpNet.Base32Encoding.ToBytes((await enroll.JsonAsync()).GetProperty("secret").GetString());
        var code = Rfc6238.Code(secret, Rfc6238.Step(DateTimeOffset.UtcNow));
        await Api.ExpectAsync(await withToken.PostAsJsonAsync("/api/auth/2fa/totp/confirm", new { code }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task RateLimit_SpentOnNodeA_ShouldRefuseOnNodeB()
    {
        var (owner, _) = await ClusterFixture.RegisterAsync(cluster.A.BaseUrl);
        await cluster.SetLimitsAsync(owner.OrganizationId, new { ratePerMinute = 1, burst = 4 });
        using var onA = ClusterFixture.Client(cluster.A.BaseUrl, owner.Token);
        using var onB = ClusterFixture.Client(cluster.B.BaseUrl, owner.Token);

        for (var i = 0; i < 4; i++) await Api.ExpectAsync(await onA.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
        var refused = await onB.GetAsync($"/api/organizations/{owner.OrganizationId}");

        await Api.ExpectProblemAsync(refused, HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Equal("1", refused.Headers.GetValues("X-RateLimit-Limit").Single());
        Assert.Equal("0", refused.Headers.GetValues("X-RateLimit-Remaining").Single());
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
    }

    [Fact]
    public async Task TeamCreatedOnNodeA_ShouldReachAClientConnectedToNodeB()
    {
        var owner = await cluster.UnlimitedOrganizationAsync(cluster.A.BaseUrl);
        await using var onB = await ClusterHubClient.ConnectAsync(cluster.B.BaseUrl, owner.Token);
        using var onA = ClusterFixture.Client(cluster.A.BaseUrl, owner.Token);

        await Api.ExpectAsync(await onA.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Made on A" }), HttpStatusCode.Created);

        var events = await onB.UntilAsync(e => e.Method == "activity:new" && e.Payload.GetProperty("target").GetProperty("name").GetString() == "Made on A");
        Assert.Equal(owner.OrganizationId, events[^1].Body.GetProperty("organizationId").GetString());
    }

    [Fact]
    public async Task LongPollingThroughNginx_ShouldStickToOneNode_AndReceiveEventsFromEither()
    {
        var owner = await cluster.UnlimitedOrganizationAsync(cluster.Proxy.BaseUrl);
        var before = cluster.Proxy.Requests().Count;
        await using var client = await ClusterHubClient.ConnectAsync(cluster.Proxy.BaseUrl, owner.Token, HttpTransportType.LongPolling);
        Assert.Contains(client.StickyNode, cluster.Nodes.Select(n => n.Address));

        // Writes on both nodes; the long-polling client (pinned to one of them) sees both.
        foreach (var node in cluster.Nodes)
        {
            using var http = ClusterFixture.Client(node.BaseUrl, owner.Token);
            await Api.ExpectAsync(await http.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Polled " + node.Name }), HttpStatusCode.Created);
            await client.UntilAsync(e => e.Method == "activity:new" && e.Payload.GetProperty("target").GetProperty("name").GetString() == "Polled " + node.Name);
        }
        var polls = cluster.Proxy.Requests().Skip(before).Where(r => r.Path.StartsWith("/hubs/events", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(polls);
        Assert.All(polls, p => Assert.Equal(client.StickyNode, p.Upstream));
    }

    [Fact]
    public async Task RequestsThroughNginx_ShouldReachBothNodes()
    {
        var owner = await cluster.UnlimitedOrganizationAsync(cluster.Proxy.BaseUrl);
        using var http = ClusterFixture.Client(cluster.Proxy.BaseUrl, owner.Token);
        var path = $"/api/organizations/{owner.OrganizationId}";
        for (var i = 0; i < 12; i++) await Api.ExpectAsync(await http.GetAsync(path), HttpStatusCode.OK);
        for (var i = 0; i < 4; i++)
            await Api.ExpectAsync(await http.PostAsJsonAsync(path + "/teams", new { name = "Spread " + i }), HttpStatusCode.Created);

        var served = cluster.Proxy.Requests().Where(r => r.Path.StartsWith(path, StringComparison.Ordinal)).GroupBy(r => r.Upstream).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(cluster.Nodes.Select(n => n.Address).Order(), served.Keys.Order());
        Assert.All(served.Values, count => Assert.True(count >= 4, $"round robin left a node with {count} of 16 requests"));
    }

    [Fact]
    public async Task ScheduledJobs_ShouldRunOncePerWindow_AcrossBothNodes()
    {
        string[] everyStart = ["housekeeping", "organization-deletion", "realtime-purge", "usage-cleanup"];
        // Both schedulers fire these at start; the claims are in JobRuns once they ran.
        var runs = new List<(string Job, string Window, string Node)>();
        await ClusterProcesses.WaitUntilAsync(async () =>
        {
            runs = await cluster.QueryAsync("""SELECT "JobName", "Window", "Node" FROM "JobRuns" """, reader =>
            {
                var rows = new List<(string, string, string)>();
                while (reader.Read()) rows.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2)));
                return rows;
            });
            return everyStart.All(job => runs.Any(r => r.Job == job));
        }, TimeSpan.FromSeconds(30), "both schedulers to claim their first runs");

        Assert.All(runs.GroupBy(r => (r.Job, r.Window)), window => Assert.Single(window));
        var nodes = cluster.Nodes.SelectMany(n => n.ProcessIds).Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
        Assert.All(runs, r => Assert.Contains(r.Node.Split(':')[^1], nodes));
    }
}
