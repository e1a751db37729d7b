using System.Security.Cryptography;

namespace Intelagent.Server.Platform.Http;

/// <summary>
/// The security headers of every response (docs/decisions/023): no sniffing, no framing (both the
/// old header and CSP's frame-ancestors), a referrer policy, HSTS outside Development, and a content
/// security policy chosen by path. The API and other machine answers get a policy that allows
/// nothing; the portals get one for Blazor server and MudBlazor: scripts from this origin plus the
/// import map by a per-request nonce, the circuit's WebSocket to this origin only, styles from this
/// origin and inline (MudBlazor writes style attributes and a theme style element, which nonces
/// cannot cover); the API reference page keeps the inline scripts Scalar needs.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>Where the portal's root component finds the nonce of this response.</summary>
    public const string NonceItem = "csp-nonce";

    public const string StrictTransportSecurity = "max-age=31536000";

    public const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private const string DocsPolicy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        + "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    public static string PortalPolicy(string nonce, string host) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + $"connect-src 'self' ws://{host} wss://{host}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

    private static readonly string[] MachinePaths = ["/api", "/health", "/openapi", "/hubs", "/socket.io", "/metrics"];

    /// <summary><paramref name="hsts"/>: outside Development (and the tests' environment) unless <c>Security:Hsts</c> says otherwise.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app, bool hsts) => app.Use((context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        // Sent on plain HTTP too: TLS ends at the proxy, and browsers ignore the header on an insecure answer.
        if (hsts) headers.StrictTransportSecurity = StrictTransportSecurity;
        var path = context.Request.Path;
        if (MachinePaths.Any(p => path.StartsWithSegments(p)))
            headers.ContentSecurityPolicy = ApiPolicy;
        else if (path.StartsWithSegments("/docs") || path.StartsWithSegments("/scalar"))
            headers.ContentSecurityPolicy = DocsPolicy;
        else
        {
            // Hex, not base64: "+" and "/" would be HTML-encoded in the attribute and make the nonce harder to compare.
            var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
            context.Items[NonceItem] = nonce;
            headers.ContentSecurityPolicy = PortalPolicy(nonce, context.Request.Host.Value ?? "localhost");
        }
        return next(context);
    });
}
