using System.Net;
using System.Security.Cryptography;
using System.Text;
using Intelagent.Server.Platform.Problems;
using Microsoft.Net.Http.Headers;

namespace Intelagent.Server.Platform.Telemetry;

/// <summary>
/// Who may read <c>/metrics</c>: a caller presenting <c>Authorization: Bearer METRICS_TOKEN</c>, or
/// a caller on this machine. "On this machine" means a loopback (or in-process, with no address)
/// connection that no proxy forwarded: the nginx in front of the nodes connects from loopback too and
/// adds X-Forwarded-For, so a request that came through it needs the token. The figures name no
/// tenant, but request rates, routes and job outcomes are still nobody else's business.
/// </summary>
public sealed class MetricsAccess(IConfiguration configuration)
{
    private readonly byte[]? _token = configuration["METRICS_TOKEN"] is { Length: > 0 } token ? Encoding.UTF8.GetBytes(token) : null;
    private readonly bool _loopback = configuration.GetValue("Metrics:AllowLoopback", true);

    private static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Original-For"];

    public bool Allows(HttpContext context) => HasToken(context.Request.Headers.Authorization.ToString()) || (_loopback && IsLocal(context));

    private bool HasToken(string authorization)
    {
        const string scheme = "Bearer ";
        if (_token is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var presented = Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim());
        return CryptographicOperations.FixedTimeEquals(presented, _token);
    }

    private static bool IsLocal(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is { } address
            && !IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)) return false;
        foreach (var header in ForwardingHeaders)
            if (context.Request.Headers.ContainsKey(header)) return false;
        return true;
    }
}

/// <summary>Runs in front of the Prometheus exporter on the <c>/metrics</c> branch.</summary>
public sealed class MetricsAccessMiddleware(RequestDelegate next, MetricsAccess access)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (access.Allows(context)) return next(context);
        context.Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Problem.WriteAsync(context, 403, "metrics_forbidden",
            "Metrics are served to this machine's own callers, or with Authorization: Bearer and the token configured in METRICS_TOKEN.");
    }
}
