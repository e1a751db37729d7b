using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Identity;

/// <summary>
/// One JWT scheme reads the token from <c>Authorization: Bearer</c>, else from the <c>auth-token</c>
/// cookie, else (for WebSocket paths only) from <c>access_token</c> in the query. A valid signature
/// is not enough: the token's session must still be alive.
/// </summary>
internal static class AuthenticationSetup
{
    public const string FromCookieItem = "auth:from-cookie";

    public static IServiceCollection AddTokenAuthentication(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthentication.SelectorScheme).AddJwtBearer().AddApiKeyScheme();
        services.AddPeopleOnlyAuthorization();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<TokenService>((options, tokens) =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = tokens.ValidationParameters();
                options.Events = new JwtBearerEvents
                {
                    OnMessageReceived = ReadToken,
                    OnTokenValidated = CheckSessionAsync,
                    OnChallenge = WriteChallengeAsync,
                };
            });
        return services;
    }

    private static Task ReadToken(MessageReceivedContext context)
    {
        var request = context.Request;
        if (request.Headers.Authorization.Count > 0) return Task.CompletedTask;
        if (request.Cookies.TryGetValue(AuthSettings.CookieName, out var cookie) && cookie.Length > 0)
        {
            context.Token = cookie;
            context.HttpContext.Items[FromCookieItem] = true;
        }
        else if ((request.Path.StartsWithSegments("/hubs") || request.Path.StartsWithSegments("/socket.io"))
                 && request.Query.TryGetValue("access_token", out var queryToken))
        {
            context.Token = queryToken;
        }
        return Task.CompletedTask;
    }

    private static async Task CheckSessionAsync(TokenValidatedContext context)
    {
        var sessionId = context.Principal?.FindFirst(TokenService.SessionClaim)?.Value;
        var sessions = context.HttpContext.RequestServices.GetRequiredService<SessionCache>();
        var session = sessionId is null ? null : await sessions.GetActiveAsync(sessionId, context.HttpContext.RequestAborted);
        if (session is null)
        {
            context.Fail("The session has ended.");
            return;
        }
        var request = context.HttpContext.RequestServices.GetRequiredService<RequestContext>();
        request.UserId = session.UserId;
        request.SessionId = session.SessionId;
        request.IsOperator = session.IsOperator;
    }

    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        context.Response.StatusCode = StatusCodes.Status401Unauthorized;
        context.Response.Headers.WWWAuthenticate = "Bearer";
        var (code, detail) = context.AuthenticateFailure is null
            ? ("unauthenticated", "Sign in first: send a token in the auth-token cookie or an Authorization: Bearer header.")
            : ("invalid_token", "The token is invalid, expired, or its session has ended. Sign in again or refresh it.");
        await Problem.WriteAsync(context.HttpContext, 401, code, detail);
    }
}

/// <summary>Sets the auth-token cookie the way the spec and the decisions ask.</summary>
public sealed class AuthCookie(AuthSettings settings)
{
    public void Set(HttpResponse response, IssuedToken token) =>
        response.Cookies.Append(AuthSettings.CookieName, token.Token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Secure = settings.SecureCookies,
            Path = "/",
            Expires = token.ExpiresAt,
        });

    public void Clear(HttpResponse response) =>
        response.Cookies.Delete(AuthSettings.CookieName, new CookieOptions { Path = "/", SameSite = SameSiteMode.Lax, Secure = settings.SecureCookies, HttpOnly = true });
}
