using System.Collections.Concurrent;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Intelagent.Server.Security.Sso;

/// <summary>
/// One ASP.NET Core OpenID Connect handler per organization's connection, registered on demand
/// (a scheme named <c>sso-{connectionId}</c>), so the framework's handler does the protocol: state,
/// nonce, PKCE, the code exchange, and the id_token's signature, issuer, audience and lifetime. Each
/// node registers a scheme the first time it needs it and re-reads the connection on every start and
/// callback, so an edit on one node reaches the others at once.
/// </summary>
public sealed class OidcSchemes(IAuthenticationSchemeProvider schemes, IOptionsMonitorCache<OpenIdConnectOptions> optionsCache, IServiceScopeFactory scopes, SsoSecrets secrets)
{
    public const string Prefix = "sso-";
    private readonly ConcurrentDictionary<string, OidcConnectionSnapshot> _snapshots = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    public static string SchemeOf(string connectionId) => Prefix + connectionId;

    /// <summary>The scheme for an enabled OIDC connection, registered and current; null otherwise.</summary>
    public async Task<string?> EnsureAsync(string connectionId, CancellationToken cancellationToken)
    {
        SsoConnection? connection;
        await using (var scope = scopes.CreateAsyncScope())
        {
            connection = await scope.ServiceProvider.GetRequiredService<AppDb>().Set<SsoConnection>().IgnoreQueryFilters().AsNoTracking()
                .FirstOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        }
        var name = SchemeOf(connectionId);
        if (connection is not { Enabled: true, Protocol: SsoProtocol.Oidc, OidcAuthority: not null, OidcClientId: not null, OidcClientSecretProtected: not null })
        {
            if (_snapshots.TryRemove(connectionId, out _)) Forget(name);
            return null;
        }
        var snapshot = new OidcConnectionSnapshot(connection.Id, connection.OidcAuthority, connection.OidcClientId, secrets.Unprotect(connection.OidcClientSecretProtected), connection.Version);
        if (_snapshots.TryGetValue(connectionId, out var current) && current == snapshot && await schemes.GetSchemeAsync(name) is not null) return name;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            _snapshots[connectionId] = snapshot;
            Forget(name);
            schemes.TryAddScheme(new AuthenticationScheme(name, "Single sign-on", typeof(OpenIdConnectHandler)));
        }
        finally
        {
            _gate.Release();
        }
        return name;
    }

    internal OidcConnectionSnapshot? Snapshot(string schemeName) =>
        schemeName.StartsWith(Prefix, StringComparison.Ordinal) && _snapshots.TryGetValue(schemeName[Prefix.Length..], out var snapshot) ? snapshot : null;

    private void Forget(string name)
    {
        schemes.RemoveScheme(name);
        optionsCache.TryRemove(name);
    }
}

internal sealed record OidcConnectionSnapshot(string ConnectionId, string Authority, string ClientId, string ClientSecret, int Version);

/// <summary>Fills a connection's handler options from its snapshot.</summary>
internal sealed class ConfigureOidcSchemeOptions(OidcSchemes schemes, IConfiguration configuration) : IConfigureNamedOptions<OpenIdConnectOptions>
{
    public void Configure(OpenIdConnectOptions options) { }

    public void Configure(string? name, OpenIdConnectOptions options)
    {
        if (name is null || schemes.Snapshot(name) is not { } connection) return;
        options.Authority = connection.Authority;
        options.ClientId = connection.ClientId;
        options.ClientSecret = connection.ClientSecret;
        options.ResponseType = "code";
        // A top-level GET back to us, so SameSite=Lax correlation and nonce cookies are sent.
        options.ResponseMode = "query";
        options.UsePkce = true;
        options.CallbackPath = SsoUrls.OidcCallbackPath(connection.ConnectionId);
        options.Scope.Clear();
        foreach (var scope in (string[])["openid", "email", "profile"]) options.Scope.Add(scope);
        options.MapInboundClaims = false;
        options.SaveTokens = false;
        options.GetClaimsFromUserInfoEndpoint = false;
        var loopbackHttp = Uri.TryCreate(connection.Authority, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback;
        options.RequireHttpsMetadata = !(loopbackHttp && configuration.GetValue<bool>("Sso:AllowHttpLoopback"));
        options.CorrelationCookie.SameSite = SameSiteMode.Lax;
        options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.NonceCookie.SameSite = SameSiteMode.Lax;
        options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        options.Events = new OpenIdConnectEvents
        {
            OnTicketReceived = context => OnTicketReceivedAsync(context, connection.ConnectionId),
            OnRemoteFailure = context =>
            {
                context.HttpContext.RequestServices.GetRequiredService<ILogger<OidcSchemes>>()
                    .LogWarning(context.Failure, "OpenID Connect sign-in through {ConnectionId} failed", connection.ConnectionId);
                context.Response.Redirect(SsoReturn.Refused("sso_failed"));
                context.HandleResponse();
                return Task.CompletedTask;
            },
        };
    }

    private static async Task OnTicketReceivedAsync(TicketReceivedContext context, string connectionId)
    {
        var principal = context.Principal!;
        var verified = principal.FindFirst("email_verified")?.Value;
        var identity = new ExternalIdentity(
            principal.FindFirst("sub")?.Value ?? "",
            principal.FindFirst("email")?.Value,
            principal.FindFirst("name")?.Value,
            verified is null ? null : string.Equals(verified, "true", StringComparison.OrdinalIgnoreCase));
        var services = context.HttpContext.RequestServices;
        var result = await services.GetRequiredService<SsoSignIn>().CompleteAsync(connectionId, identity, context.HttpContext.RequestAborted);
        if (result.IsSuccess)
        {
            services.GetRequiredService<AuthCookie>().Set(context.Response, result.Value!);
            context.Response.Redirect(SsoReturn.Local(context.ReturnUri));
        }
        else
        {
            context.Response.Redirect(SsoReturn.Refused(result.Error!.Code));
        }
        context.HandleResponse();
    }
}

public static class SsoReturn
{
    /// <summary>Only a local path: an open redirect after sign-in would hand the session's first page to anyone.</summary>
    public static string Local(string? returnUrl) =>
        returnUrl is { Length: > 0 and < 500 } && returnUrl.StartsWith('/') && !returnUrl.StartsWith("//", StringComparison.Ordinal) && !returnUrl.StartsWith("/\\", StringComparison.Ordinal)
            ? returnUrl : "/";

    /// <summary>Where a browser goes when its single sign-on was refused: the sign-in page, which words the code.</summary>
    public static string Refused(string code) => "/sign-in?error=" + Uri.EscapeDataString(code);
}
