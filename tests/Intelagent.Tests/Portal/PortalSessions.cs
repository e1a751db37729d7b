using System.Security.Claims;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Portal;
using Intelagent.Server.Security.Access;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Xunit;

namespace Intelagent.Tests.Portal;

/// <summary>Portal sessions as a circuit would hold them, for tests of the portal's query classes.</summary>
public static class PortalSessions
{
    /// <summary>The principal the JWT scheme makes from the portal's cookie, signed in through the session's own checks.</summary>
    public static async Task<PortalSession> SignedInAsync(IServiceProvider services, string token)
    {
        var jwt = new JsonWebTokenHandler().ReadJsonWebToken(token);
        var identity = new ClaimsIdentity(
            [new Claim(JwtRegisteredClaimNames.Sub, jwt.Subject), new Claim(TokenService.SessionClaim, jwt.GetClaim(TokenService.SessionClaim).Value)], "test");
        var portal = new PortalSession(new FixedAuthentication(new ClaimsPrincipal(identity)), services.GetRequiredService<IServiceScopeFactory>(),
            services.GetRequiredService<SessionCache>(), services.GetRequiredService<MembershipCache>(),
            services.GetRequiredService<SecurityPolicyCache>(), services.GetRequiredService<SessionActivity>(), services.GetRequiredService<TimeProvider>());
        Assert.True(await portal.EnsureSignedInAsync());
        return portal;
    }

    private sealed class FixedAuthentication(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
