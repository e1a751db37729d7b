using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Platform.Http;

/// <summary>Small pieces of the pipeline, each one reason; their order is in Pipeline.cs.</summary>
public static class Middleware
{
    /// <summary>Records the caller's address and agent for the audit trail and sessions.</summary>
    public static IApplicationBuilder UseClientInfo(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var request = context.RequestServices.GetRequiredService<RequestContext>();
        request.Ip = context.Connection.RemoteIpAddress?.ToString();
        request.UserAgent = context.Request.Headers.UserAgent.ToString() is { Length: > 0 } agent ? agent : null;
        return next(context);
    });

    /// <summary>
    /// CSRF defence for cookie-authenticated writes: SameSite=Lax on the cookie, plus this check
    /// that a browser's unsafe request comes from our own origin (Origin header, or Sec-Fetch-Site).
    /// Bearer and API-key requests carry no ambient credential and are not affected, nor are endpoints
    /// marked <see cref="CrossSitePost"/>, which never act on the cookie's identity.
    /// </summary>
    public static IApplicationBuilder UseCookieCsrfProtection(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (context.Items.ContainsKey(AuthenticationSetup.FromCookieItem) && !HttpMethods.IsGet(request.Method) &&
            !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method) && !IsSameOrigin(request) &&
            context.GetEndpoint()?.Metadata.GetMetadata<CrossSitePost>() is null)
        {
            await Problem.WriteAsync(context, 403, "csrf_rejected", "Cross-site request refused: a cookie-authenticated change must come from this site's own pages.");
            return;
        }
        await next(context);
    });

    private static bool IsSameOrigin(HttpRequest request)
    {
        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite is "cross-site" or "same-site") return false;
        var origin = request.Headers.Origin.ToString();
        if (origin == "null") return false;
        if (string.IsNullOrEmpty(origin)) return true; // not a browser's cross-site request: those always send Origin
        return Uri.TryCreate(origin, UriKind.Absolute, out var uri) &&
               string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Endpoint metadata: browsers post here from another origin by design (the SAML assertion consumer, posted
/// from the identity provider's page). The endpoint is anonymous and acts only on what the request proves
/// itself, so a session cookie the browser sends along (the identity provider on the same site) is no
/// ambient credential there, and the cookie CSRF check leaves it alone.
/// </summary>
public sealed class CrossSitePost
{
    public static readonly CrossSitePost Instance = new();
}
