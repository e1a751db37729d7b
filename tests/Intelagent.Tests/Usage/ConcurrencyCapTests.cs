using System.Net;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Usage;

/// <summary>A free organization may have two requests in flight at once here.</summary>
public sealed class TwoAtOnceApp : SqliteApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("Usage:EnforceLimits", "true"), ("Usage:ConcurrentRequests:Free", "2")];
}

public sealed class ConcurrencyCapTests(TwoAtOnceApp app) : IClassFixture<TwoAtOnceApp>
{
    [Fact]
    public async Task ParallelCalls_BeyondTheTiersConcurrencyCap_ShouldGet429NamingIt()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token, owner.OrganizationId);
        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);

        var responses = await Task.WhenAll(Enumerable.Range(0, 60).Select(_ => client.GetAsync($"/api/organizations/{owner.OrganizationId}")));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(refused);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var problem = await Api.ExpectProblemAsync(refused[0], HttpStatusCode.TooManyRequests, "concurrency_limit_reached");
        Assert.Contains("2 requests in progress", problem.GetProperty("detail").GetString());
        Assert.Equal("1", refused[0].Headers.GetValues("Retry-After").Single());

        // Once they are done, the organization's next call goes through.
        await Api.ExpectAsync(await client.GetAsync($"/api/organizations/{owner.OrganizationId}"), HttpStatusCode.OK);
    }
}
