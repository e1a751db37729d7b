using System.Net;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Security.Access;
using Microsoft.AspNetCore.HttpOverrides;

namespace Intelagent.Server.Platform;

/// <summary>The order of the request pipeline, one step per line (see docs/architecture.md).</summary>
public static class Pipeline
{
    public static WebApplication UseIntelagentPipeline(this WebApplication app)
    {
        // Every failure becomes an RFC 7807 problem; no stack trace leaves the process.
        app.UseExceptionHandler();
        // Empty 404/405/415 answers from routing get a problem body too.
        app.UseStatusCodePages();
        // nosniff, no framing, referrer policy, a content security policy by path, HSTS outside Development.
        app.UseSecurityHeaders(app.Configuration.GetValue("Security:Hsts", !app.Environment.IsDevelopment() && !app.Environment.IsEnvironment("Testing")));
        // X-Forwarded-For is believed only from TRUSTED_PROXIES (CIDRs); by default from nobody.
        // (With no known proxy, ForwardedHeadersMiddleware would believe every sender: skip it then.)
        if (!string.IsNullOrWhiteSpace(app.Configuration["TRUSTED_PROXIES"]))
            app.UseForwardedHeaders(ForwardedHeaders(app.Configuration["TRUSTED_PROXIES"]));
        app.UseClientInfo();
        app.UseRouting();
        // JWT from the auth-token cookie or Authorization: Bearer, and its session must be alive.
        app.UseAuthentication();
        app.UseCookieCsrfProtection();
        // Which organization the request is for, and the caller's role there.
        app.UseMiddleware<TenantResolutionMiddleware>();
        // From here every log line names the organization and user (trace and request ids are already there).
        app.UseMiddleware<Telemetry.RequestLogScopeMiddleware>();
        // Organization guards: IP allow-list, session idle timeout, password expiry, required 2FA.
        app.UseMiddleware<OrganizationGuardMiddleware>();
        // Usage metering: the organization's rate and daily quota, rate-limit headers, counts in memory.
        app.UseMiddleware<Usage.MeteringMiddleware>();
        // Per-IP throttles on sign-up and sign-in.
        app.UseRateLimiter();
        // One policy per permission, declared on each endpoint.
        app.UseAuthorization();
        // U+0000 in a query or JSON body is a 400 problem: PostgreSQL cannot hold it. After routing (so
        // an endpoint's own request size limit applies) and after authorization (so no body is read
        // for a caller who may not send it).
        app.UseTextWithoutNul();
        // Retries with the same Idempotency-Key get the first answer instead of a second change.
        app.UseMiddleware<IdempotencyMiddleware>();
        // Form posts of the portal's Razor components carry an antiforgery token; API endpoints have none.
        app.UseAntiforgery();
        return app;
    }

    private static ForwardedHeadersOptions ForwardedHeaders(string? trustedProxies)
    {
        var options = new ForwardedHeadersOptions { ForwardedHeaders = Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedFor | Microsoft.AspNetCore.HttpOverrides.ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var cidr in (trustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(cidr));
        return options;
    }
}
