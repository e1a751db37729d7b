using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Sso;

public static class SsoEndpoints
{
    public static IEndpointRouteBuilder MapSsoEndpoints(this IEndpointRouteBuilder app)
    {
        var settings = app.MapGroup("/api/security/sso").WithTags("Single sign-on");
        settings.MapGet("/", async (SsoConnectionService sso, CancellationToken ct) => TypedResults.Ok(await sso.GetAsync(ct)))
            .RequirePermission(Permissions.SecuritySettingsRead).WithName("GetSsoConnection").Produces<SsoConnectionResponse>().WithProblems(403, 404);
        settings.MapPut("/", async (SsoConnectionRequest request, SsoConnectionService sso, CancellationToken ct) => (await sso.PutAsync(request, ct)).ToHttp(r => TypedResults.Ok(r)))
            .RequirePermission(Permissions.SecuritySettingsManage).WithName("PutSsoConnection")
            .WithSummary("Create or change the organization's OpenID Connect or SAML connection; fields left out keep their value")
            .Produces<SsoConnectionResponse>().WithProblems(400, 403, 404);
        settings.MapDelete("/", async (SsoConnectionService sso, CancellationToken ct) => (await sso.DeleteAsync(ct)).ToHttp(_ => TypedResults.NoContent()))
            .RequirePermission(Permissions.SecuritySettingsManage).WithName("DeleteSsoConnection").Produces(204).WithProblems(403, 404);
        settings.MapPost("/domains", async (SsoDomainRequest request, SsoConnectionService sso, CancellationToken ct) =>
                (await sso.ClaimDomainAsync(request, ct)).ToHttp(d => TypedResults.Created($"/api/security/sso/domains/{d.Domain}", d)))
            .RequirePermission(Permissions.SecuritySettingsManage).WithName("ClaimSsoDomain")
            .WithSummary("Claim an email domain; publish the returned TXT record, then verify").Produces<SsoDomainResponse>(201).WithProblems(400, 403, 404, 409, 422);
        settings.MapPost("/domains/{domain}/verify", async (string domain, SsoConnectionService sso, CancellationToken ct) => (await sso.VerifyDomainAsync(domain.ToLowerInvariant(), ct)).ToHttp(d => TypedResults.Ok(d)))
            .RequirePermission(Permissions.SecuritySettingsManage).WithName("VerifySsoDomain").Produces<SsoDomainResponse>().WithProblems(403, 404, 409, 422);
        settings.MapDelete("/domains/{domain}", async (string domain, SsoConnectionService sso, CancellationToken ct) => (await sso.RemoveDomainAsync(domain.ToLowerInvariant(), ct)).ToHttp(_ => TypedResults.NoContent()))
            .RequirePermission(Permissions.SecuritySettingsManage).WithName("RemoveSsoDomain").Produces(204).WithProblems(403, 404);

        var auth = app.MapGroup("/api/auth/sso").WithTags("Single sign-on");
        auth.MapGet("/start", StartAsync).AllowAnonymous().RequireRateLimiting(RateLimits.SignIn).WithName("StartSso")
            .WithSummary("Redirects to the identity provider of the organization that verified the email's domain").Produces(302).WithProblems(400, 404, 429);
        auth.MapGet("/oidc/{connectionId}/callback", OidcCallbackAsync).AllowAnonymous().WithName("OidcCallback").Produces(302).WithProblems(400, 404);
        auth.MapPost("/saml/{connectionId}/acs", SamlAcsAsync).AllowAnonymous().DisableAntiforgery().WithMetadata(CrossSitePost.Instance).RequireRateLimiting(RateLimits.SignIn)
            .WithName("SamlAssertionConsumer").Produces(302).WithProblems(400, 401, 403, 404, 429);
        auth.MapGet("/saml/{connectionId}/metadata", MetadataAsync).AllowAnonymous().WithName("SamlMetadata").Produces(200, contentType: "application/samlmetadata+xml").WithProblems(404);
        return app;
    }

    private static async Task<IResult> StartAsync(string? email, string? returnUrl, AppDb db, OidcSchemes oidc, SamlSignIn saml, CancellationToken ct)
    {
        var domain = email is { Length: <= 254 } ? DomainProof.DomainOf(email) : null;
        if (domain is null) return Error.Validation("email", "must be an email address whose domain uses single sign-on.").ToResult();
        var connection = await SsoDirectory.EnabledConnectionsFor(db, domain).AsNoTracking().FirstOrDefaultAsync(ct);
        if (connection is null) return Error.NotFound("single sign-on connection for " + domain).ToResult();
        if (connection.Protocol == SsoProtocol.Saml) return TypedResults.Redirect(saml.StartUrl(connection, returnUrl ?? "/"));
        var scheme = await oidc.EnsureAsync(connection.Id, ct);
        if (scheme is null) return Error.NotFound("single sign-on connection for " + domain).ToResult();
        var properties = new AuthenticationProperties { RedirectUri = SsoReturn.Local(returnUrl) };
        return TypedResults.Challenge(properties, [scheme]);
    }

    /// <summary>
    /// The handler answers its callback path itself once its scheme is registered on this node; this
    /// endpoint covers a node that has not seen the connection yet (the start ran on another node).
    /// </summary>
    private static async Task<IResult> OidcCallbackAsync(string connectionId, HttpContext context, OidcSchemes oidc, IAuthenticationHandlerProvider handlers, CancellationToken ct)
    {
        var scheme = await oidc.EnsureAsync(connectionId, ct);
        if (scheme is null) return Refuse(context.Request, Error.NotFound("SSO connection"));
        if (await handlers.GetHandlerAsync(context, scheme) is IAuthenticationRequestHandler handler && await handler.HandleRequestAsync())
            return TypedResults.Empty;
        return Refuse(context.Request, Error.BadRequest("sso_callback_invalid", "This is not a sign-in response of the connection's provider."));
    }

    /// <summary>
    /// The HTTP-POST binding: a form with SAMLResponse and RelayState, posted by the browser from the identity
    /// provider's page: a cross-site POST by design, which carries our session cookie only when the identity
    /// provider is on the same site. The cookie is not what the endpoint acts on, so neither the cookie CSRF check
    /// nor antiforgery applies; the signed response, its one-time assertion id and the RelayState bound to this
    /// connection's request are what protect it.
    /// </summary>
    private static async Task<IResult> SamlAcsAsync(string connectionId, SamlSignIn saml, AuthCookie cookie, HttpContext context, ILogger<SamlSignIn> logger, CancellationToken ct)
    {
        if (!context.Request.HasFormContentType)
            return Refuse(context.Request, Error.BadRequest("saml_malformed", "Post SAMLResponse and RelayState as an application/x-www-form-urlencoded form (the HTTP-POST binding)."));
        var form = await context.Request.ReadFormAsync(ct);
        var result = await saml.ConsumeAsync(connectionId, form["SAMLResponse"].FirstOrDefault(), form["RelayState"].FirstOrDefault(), ct);
        if (!result.IsSuccess)
        {
            logger.LogWarning("SAML sign-in through {ConnectionId} refused: {Code} ({Detail})", connectionId, result.Error!.Code, result.Error.Detail);
            return Refuse(context.Request, result.Error);
        }
        cookie.Set(context.Response, result.Value.Token);
        return TypedResults.Redirect(result.Value.ReturnUrl);
    }

    /// <summary>
    /// A sign-in that did not complete: the browser that came back from the identity provider lands on the
    /// sign-in page, which words the code (as the OpenID Connect handler's failures do); an API client gets the problem.
    /// </summary>
    private static IResult Refuse(HttpRequest request, Error error) =>
        BrowserNavigation.Is(request) ? TypedResults.Redirect(SsoReturn.Refused(error.Code)) : error.ToResult();

    private static async Task<IResult> MetadataAsync(string connectionId, AppDb db, SsoUrls urls, SamlSigningCertificate signing, CancellationToken ct)
    {
        var exists = await db.Set<SsoConnection>().IgnoreQueryFilters().AnyAsync(c => c.Id == connectionId && c.Protocol == SsoProtocol.Saml, ct);
        return exists
            ? TypedResults.Text(SamlServiceProvider.Metadata(urls.SamlEntityId(connectionId), urls.SamlAcs(connectionId), signing.Certificate), "application/samlmetadata+xml")
            : Error.NotFound("SSO connection").ToResult();
    }
}
