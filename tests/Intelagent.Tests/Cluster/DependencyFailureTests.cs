using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Intelagent.Tests.Cluster;

/// <summary>PostgreSQL restarted and Redis stopped under the running nodes, which must degrade and recover by themselves.</summary>
[Collection(ClusterCollection.Name)]
public sealed class DependencyFailureTests(ClusterFixture cluster, ITestOutputHelper output) : IAsyncLifetime
{
    private sealed record Answer(int Status, string? MediaType, bool RetryAfter, TimeSpan Took, string Body);

    public Task InitializeAsync() => cluster.HealAsync();

    public Task DisposeAsync() => cluster.HealAsync();

    [Fact]
    public async Task PostgresRestart_UnderLoad_ShouldAnswer503ProblemsFast_AndRecoverWithoutRestartingTheNodes()
    {
        var owner = await cluster.UnlimitedOrganizationAsync(cluster.A.BaseUrl);
        var clients = cluster.Nodes.Select(n => ClusterFixture.Client(n.BaseUrl, owner.Token)).ToList();
        var teams = $"/api/organizations/{owner.OrganizationId}/teams";
        var answers = new ConcurrentBag<Answer>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        async Task LoadAsync(HttpClient client, int worker)
        {
            for (var i = 0; i < 2000 && !stop.IsCancellationRequested; i++)
            {
                var took = Stopwatch.StartNew();
                using var response = i % 2 == 0 ? await client.GetAsync(teams) : await client.PostAsJsonAsync(teams, new { name = $"pg{worker}-{i}" });
                answers.Add(new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.RetryAfter is not null, took.Elapsed,
                    response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync()));
                await Task.Delay(20);
            }
        }
        var load = Task.WhenAll(clients.Select((c, i) => LoadAsync(c, i)));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await cluster.Postgres.RestartAsync();
        await Task.Delay(TimeSpan.FromSeconds(1));
        await stop.CancelAsync();
        await load;

        var unavailable = answers.Where(a => a.Status == 503).ToList();
        output.WriteLine($"{answers.Count} answers during the restart: {unavailable.Count} were 503, the slowest took {answers.Max(a => a.Took).TotalMilliseconds:0} ms");
        var other = answers.Where(a => a.Status is not (200 or 201 or 503)).ToList();
        Assert.True(other.Count == 0, string.Join("\n", other.Take(3).Select(a => $"{a.Status}: {a.Body}")));
        Assert.All(unavailable, a =>
        {
            Assert.Equal("application/problem+json", a.MediaType);
            Assert.True(a.RetryAfter, "a 503 says when to retry");
        });
        Assert.True(answers.Max(a => a.Took) < TimeSpan.FromSeconds(5), $"the slowest answer took {answers.Max(a => a.Took)}");

        // Back without restarting the nodes: both read and write again (a pooled connection cut by the restart may fail once).
        foreach (var client in clients)
        {
            await ClusterProcesses.WaitUntilAsync(async () => (await client.GetAsync(teams)).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "reads to recover");
            await ClusterProcesses.WaitUntilAsync(async () => (await client.PostAsJsonAsync(teams, new { name = "after-" + Guid.NewGuid().ToString("N")[..8] })).StatusCode == HttpStatusCode.Created,
                TimeSpan.FromSeconds(15), "writes to recover");
        }
        Assert.All(cluster.Nodes, n => Assert.True(n.Running));
        foreach (var client in clients) client.Dispose();
    }

    [Fact]
    public async Task RedisStopped_ShouldLeaveNodesServingDegraded_AndSharingAgainWhenItReturns()
    {
        var owner = await cluster.UnlimitedOrganizationAsync(cluster.A.BaseUrl);
        var (limited, _) = await ClusterFixture.RegisterAsync(cluster.A.BaseUrl);
        await cluster.SetLimitsAsync(limited.OrganizationId, new { ratePerMinute = 1, burst = 3 });

        await cluster.Redis.StopAsync();

        // Ready, but degraded: nodes stay in the load balancer.
        foreach (var node in cluster.Nodes) await WaitForHealthAsync(node, "Degraded");

        // Limits fall back to each node's own: each admits the whole burst.
        foreach (var node in cluster.Nodes)
        {
            using var http = ClusterFixture.Client(node.BaseUrl, limited.Token);
            for (var i = 0; i < 3; i++) await Api.ExpectAsync(await http.GetAsync($"/api/organizations/{limited.OrganizationId}"), HttpStatusCode.OK);
            await Api.ExpectProblemAsync(await http.GetAsync($"/api/organizations/{limited.OrganizationId}"), HttpStatusCode.TooManyRequests, "rate_limited");
        }

        // Fan-out falls back to the node itself: a client on A still sees a write on A. Connecting does
        // not wait for Redis (the client's own timeout is 15 s, Redis's backlog timeout would be longer).
        using var onA = ClusterFixture.Client(cluster.A.BaseUrl, owner.Token);
        await using (var clientOnA = await ClusterHubClient.ConnectAsync(cluster.A.BaseUrl, owner.Token, timeout: TimeSpan.FromSeconds(15)))
        {
            await Api.ExpectAsync(await onA.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Without Redis" }), HttpStatusCode.Created);
            await clientOnA.UntilAsync(e => e.Method == "activity:new" && e.Payload.GetProperty("target").GetProperty("name").GetString() == "Without Redis");
        }
        // A client that connects to B during the outage, and stays connected through the return.
        await using var connectedDuringOutage = await ClusterHubClient.ConnectAsync(cluster.B.BaseUrl, owner.Token, timeout: TimeSpan.FromSeconds(15));
        // Shared presence is out of reach: B answers with what it knows itself (the owner's connection), not an error.
        using (var onB = ClusterFixture.Client(cluster.B.BaseUrl, owner.Token))
        {
            using var response = await onB.GetAsync("/api/presence");
            await Api.ExpectAsync(response, HttpStatusCode.OK);
            var presence = await response.JsonAsync();
            Assert.Contains(presence.GetProperty("users").EnumerateArray(), u => u.GetProperty("userId").GetString() == owner.UserId);
        }

        await cluster.Redis.StartAsync();
        // Healthy only once Redis is back and the connections made during the outage rejoined it.
        foreach (var node in cluster.Nodes) await WaitForHealthAsync(node, "Healthy");

        // Across nodes again: an event from A reaches a new client on B and, without reconnecting,
        // the client that connected to B while Redis was away; a limit spent on A holds on B.
        await using (var clientOnB = await ClusterHubClient.ConnectAsync(cluster.B.BaseUrl, owner.Token))
        {
            await Api.ExpectAsync(await onA.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/teams", new { name = "Redis is back" }), HttpStatusCode.Created);
            await clientOnB.UntilAsync(e => e.Method == "activity:new" && e.Payload.GetProperty("target").GetProperty("name").GetString() == "Redis is back");
        }
        await connectedDuringOutage.UntilAsync(e => e.Method == "activity:new" && e.Payload.GetProperty("target").GetProperty("name").GetString() == "Redis is back");
        Assert.False(connectedDuringOutage.Reconnected.IsCompleted, "the event must arrive live, not by replay after a reconnect");
        var (shared, _) = await ClusterFixture.RegisterAsync(cluster.A.BaseUrl);
        await cluster.SetLimitsAsync(shared.OrganizationId, new { ratePerMinute = 1, burst = 3 });
        using var sharedOnA = ClusterFixture.Client(cluster.A.BaseUrl, shared.Token);
        using var sharedOnB = ClusterFixture.Client(cluster.B.BaseUrl, shared.Token);
        for (var i = 0; i < 3; i++) await Api.ExpectAsync(await sharedOnA.GetAsync($"/api/organizations/{shared.OrganizationId}"), HttpStatusCode.OK);
        await Api.ExpectProblemAsync(await sharedOnB.GetAsync($"/api/organizations/{shared.OrganizationId}"), HttpStatusCode.TooManyRequests, "rate_limited");
    }

    private static async Task WaitForHealthAsync(NodeProcess node, string status)
    {
        using var http = ClusterFixture.Client(node.BaseUrl);
        var last = "";
        try
        {
            await ClusterProcesses.WaitUntilAsync(async () =>
            {
                using var response = await http.GetAsync("/health/ready");
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
                return response.StatusCode == HttpStatusCode.OK && (await response.JsonAsync()).GetProperty("status").GetString() == status;
            }, TimeSpan.FromSeconds(20), $"node {node.Name} to report {status}");
        }
        catch (TimeoutException exception) { throw new TimeoutException(exception.Message + " Last answer: " + last, exception); }
    }
}
