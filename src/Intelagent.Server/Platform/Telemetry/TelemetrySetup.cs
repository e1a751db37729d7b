using System.Reflection;
using Intelagent.Server.Platform.Jobs;
using Intelagent.Server.Realtime.SocketIo;
using Intelagent.Server.Realtime.Stream;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Intelagent.Server.Platform.Telemetry;

/// <summary>
/// OpenTelemetry for the server (docs/decisions/025-ops-telemetry.md): metrics always, read by
/// Prometheus at <c>/metrics</c> (<see cref="MetricsAccess"/> decides who may) and pushed over OTLP
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; traces only then, so a node without a collector
/// pays no sampling or export cost. Logs: trace and span ids on every line, JSON with LOG_FORMAT=json.
/// </summary>
public static class TelemetrySetup
{
    /// <summary>SignalR's meters, named although the ASP.NET Core instrumentation (1.20) already adds them with the other framework meters.</summary>
    private static readonly string[] SignalRMeters = ["Microsoft.AspNetCore.Http.Connections", "Microsoft.AspNetCore.SignalR.Server"];

    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
        if (string.Equals(configuration["LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
            builder.Logging.AddJsonConsole(options =>
            {
                options.IncludeScopes = true;
                options.UseUtcTimestamp = true;
                options.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            });

        var otlp = !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddSingleton<MetricsAccess>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "intelagent",
                serviceVersion: Version,
                serviceInstanceId: ClusterJobGuard.Node))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation()
                    .AddMeter(SignalRMeters)
                    .AddMeter(PlatformMetrics.MeterName)
                    .AddInstrumentation(services => new ConnectedClientsGauge(
                        services.GetRequiredService<RealtimeConnections>(), services.GetRequiredService<SocketIoConnections>()))
                    .AddPrometheusExporter();
                if (otlp) metrics.AddOtlpExporter();
            });
        if (otlp)
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsPlumbing(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("Microsoft.AspNetCore.SignalR.Server")
                .AddOtlpExporter());
        return builder;
    }

    /// <summary>Maps <c>/metrics</c> (Prometheus text) behind <see cref="MetricsAccess"/>.</summary>
    public static WebApplication MapTelemetry(this WebApplication app)
    {
        app.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
            configureBranchedPipeline: branch => branch.UseMiddleware<MetricsAccessMiddleware>(), optionsName: null)
            .AllowAnonymous()
            .DisableRateLimiting();
        return app;
    }

    /// <summary>Scrapes and probes: traced, they would drown the requests people make.</summary>
    private static bool IsPlumbing(PathString path) => path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");

    private static string Version => typeof(TelemetrySetup).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(TelemetrySetup).Assembly.GetName().Version?.ToString() ?? "0.0.0";
}
