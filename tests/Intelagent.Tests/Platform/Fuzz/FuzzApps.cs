using Intelagent.Server.Platform.Events;
using Intelagent.Server.Security.Audit;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Intelagent.Tests.Platform.Fuzz;

/// <summary>
/// The test server without the two background loops that write to the database on their own time:
/// the outbox dispatcher (the fuzz test dispatches synchronously after each request instead) and
/// the audit chain sealer (which raises security alerts and notifications from failed attempts).
/// Left running, they would change tables between the digests taken around a rejected request.
/// </summary>
internal static class QuietBackground
{
    public static void Configure(IWebHostBuilder builder) => builder.ConfigureServices(services =>
    {
        for (var i = 0; i < services.Count; i++)
        {
            var descriptor = services[i];
            if (descriptor.ServiceType != typeof(IHostedService) || descriptor.ImplementationFactory is not { } factory) continue;
            services[i] = ServiceDescriptor.Singleton<IHostedService>(provider =>
                factory(provider) is var service && service is OutboxDispatcher or AuditChainSealer ? new Idle() : (IHostedService)service);
        }
    });

    private sealed class Idle : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

public sealed class FuzzSqliteApp : SqliteApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        QuietBackground.Configure(builder);
    }
}

public sealed class FuzzPostgresApp : PostgresApp
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        QuietBackground.Configure(builder);
    }
}
