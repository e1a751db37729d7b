using System.Diagnostics;
using System.Net;
using Intelagent.Server.Identity;
using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Security;

namespace Intelagent.Tests.Platform;

public sealed class TwoCachingNodes : TwoNodesOnOneDatabase;

/// <summary>
/// Each node caches sessions, API keys and memberships for a few seconds to spare the database a read
/// per request. A revocation on one node must hold on the other at once, not when its copy expires
/// (<see cref="SessionCache.Ttl"/>): node B reads first (so it holds a copy), node A changes, and B
/// must refuse well within that lifetime.
/// </summary>
public sealed class CacheInvalidationTests(TwoCachingNodes nodes) : IClassFixture<TwoCachingNodes>
{
    /// <summary>Far below the caches' 15–30 s lifetimes: what passes here went through Redis, not expiry.</summary>
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task KeyRevokedOnA_ShouldBeRefusedOnB_AtOnce()
    {
        var owner = await nodes.A.RegisterAsync();
        var key = await nodes.A.CreateKeyAsync(owner, ["teams.read"]);
        var url = $"/api/organizations/{owner.OrganizationId}/teams";
        using var onB = nodes.B.WithKey(key.Secret);
        await Api.ExpectAsync(await onB.GetAsync(url), HttpStatusCode.OK);

        await Api.ExpectAsync(await nodes.A.WithToken(owner.Token).DeleteAsync($"/api/security/api-keys/{key.Id}"), HttpStatusCode.NoContent);

        await RefusedWithinAsync(() => onB.GetAsync(url), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignOutOnA_ShouldEndTheSessionOnB_AtOnce()
    {
        var owner = await nodes.A.RegisterAsync();
        using var onB = nodes.B.WithToken(owner.Token);
        var url = $"/api/organizations/{owner.OrganizationId}";
        await Api.ExpectAsync(await onB.GetAsync(url), HttpStatusCode.OK);

        await Api.ExpectAsync(await nodes.A.WithToken(owner.Token).PostAsync("/api/auth/logout", null), HttpStatusCode.NoContent);

        await RefusedWithinAsync(() => onB.GetAsync(url), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task MemberRemovedOnA_ShouldLoseTheOrganizationOnB_AtOnce()
    {
        var owner = await nodes.A.RegisterAsync();
        var member = await nodes.A.AddMemberAsync(owner, "member");
        using var onB = nodes.B.WithToken(member.Token, owner.OrganizationId);
        var url = $"/api/organizations/{owner.OrganizationId}/teams";
        await Api.ExpectAsync(await onB.GetAsync(url), HttpStatusCode.OK);

        await Api.ExpectAsync(await nodes.A.WithToken(owner.Token).DeleteAsync($"/api/organizations/{owner.OrganizationId}/members/{member.UserId}"), HttpStatusCode.NoContent);

        // An organization one does not belong to is a 404 (or 403 where the route says so), whoever asks.
        await RefusedWithinAsync(() => onB.GetAsync(url), HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
    }

    private static async Task RefusedWithinAsync(Func<Task<HttpResponseMessage>> call, params HttpStatusCode[] refused)
    {
        var stopwatch = Stopwatch.StartNew();
        var last = HttpStatusCode.OK;
        while (stopwatch.Elapsed < Within)
        {
            using var response = await call();
            last = response.StatusCode;
            if (refused.Contains(last)) return;
            Assert.Equal(HttpStatusCode.OK, last);
            await Task.Delay(50);
        }
        Assert.Fail($"Node B still answered {(int)last} {Within.TotalSeconds:F0} s after the change on node A (its cached copy lives {SessionCache.Ttl.TotalSeconds:F0} s or more)");
    }
}
