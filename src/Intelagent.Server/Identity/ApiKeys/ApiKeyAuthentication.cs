using System.Security.Claims;
using System.Text.Encodings.Web;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Identity.ApiKeys;

/// <summary>
/// API keys as an authentication scheme of their own (docs/decisions/006). The default scheme is a
/// policy scheme that looks at the credential: <c>X-Api-Key</c>, or a bearer value starting with
/// <c>ik_</c>, goes to this handler; everything else to the JWT scheme.
/// </summary>
public static class ApiKeyAuthentication
{
    public const string Scheme = "ApiKey";
    public const string SelectorScheme = "BearerOrApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string KeyClaim = "api_key";

    public static AuthenticationBuilder AddApiKeyScheme(this AuthenticationBuilder builder) => builder
        .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(Scheme, null)
        .AddPolicyScheme(SelectorScheme, "JWT or API key", options =>
            options.ForwardDefaultSelector = context => PresentedSecret(context.Request) is not null ? Scheme : JwtBearerDefaults.AuthenticationScheme);

    /// <summary>The key a request carries, or null when it carries none (it may still carry a JWT).</summary>
    public static string? PresentedSecret(HttpRequest request)
    {
        if (request.Headers.TryGetValue(HeaderName, out var header) && header.Count > 0) return header.ToString().Trim();
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer " + ApiKey.SecretPrefix, StringComparison.OrdinalIgnoreCase))
            return authorization["Bearer ".Length..].Trim();
        return null;
    }
}

public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyCache keys, ApiKeyUsage usage, MembershipCache memberships, RequestContext request, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var secret = ApiKeyAuthentication.PresentedSecret(Request);
        if (secret is null) return AuthenticateResult.NoResult();
        if (!ApiKey.LooksLikeSecret(secret)) return AuthenticateResult.Fail("Not an API key.");
        var key = await keys.FindAsync(ApiKey.Hash(secret), Context.RequestAborted);
        var now = clock.GetUtcNow();
        if (key is null || key.RevokedAt is not null || key.ExpiresAt <= now) return AuthenticateResult.Fail("Unknown, revoked or expired API key.");
        // A key never outlives its creator's place in the organization, nor exceeds their current role.
        if (await memberships.RoleOfAsync(key.CreatedByUserId, key.OrganizationId, Context.RequestAborted) is null)
            return AuthenticateResult.Fail("The key's creator no longer belongs to its organization.");

        request.UserId = key.CreatedByUserId;
        request.IsOperator = false;
        request.ApiKeyId = key.Id;
        request.ApiKeyOrganizationId = key.OrganizationId;
        request.ApiKeyPermissions = key.Permissions;
        usage.Record(key.Id, now, request.Ip);
        usage.RecordAddress(key.Id, now, request.Ip);
        var identity = new ClaimsIdentity([new Claim("sub", key.CreatedByUserId), new Claim(ApiKeyAuthentication.KeyClaim, key.Id)], ApiKeyAuthentication.Scheme, "sub", null);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), ApiKeyAuthentication.Scheme));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        await Problem.WriteAsync(Context, 401, "invalid_api_key", "The API key is unknown, revoked or expired.");
    }
}
