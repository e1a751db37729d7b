using System.Net.Http.Headers;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Intelagent.Tests.Infrastructure;

/// <summary>
/// The whole server in process, on a database of its own. One instance per test class (a class
/// fixture); tests inside a class create their own users and organizations, so they never depend
/// on each other. The clock is a FakeTimeProvider that moves 1 ms per read (so ids stay ordered)
/// and that tests can advance.
/// </summary>
public abstract class TestApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "intelagent-tests-" + Guid.NewGuid().ToString("N"));

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };

    public abstract string Name { get; }

    /// <summary>The DNS the server sees for domain verification: tests publish TXT records here.</summary>
    public TestDns Dns { get; } = new();

    protected abstract Task<string> CreateDatabaseAsync();

    protected abstract Task DropDatabaseAsync();

    private string? _databaseUrl;

    public virtual async Task InitializeAsync()
    {
        _databaseUrl = await CreateDatabaseAsync();
        _ = Server; // start the host now: migrations run at start
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("DATABASE_URL", _databaseUrl);
        builder.UseSetting("INTELAGENT_DATA_DIR", _dataDirectory);
        builder.UseSetting("INTELAGENT_DEMO", "0");
        builder.UseSetting("JWT_SECRET", "test-secret-that-is-long-enough-for-hmac-sha256");
        builder.UseSetting("INTELAGENT_ADMIN_EMAIL", Operator.Email);
        builder.UseSetting("INTELAGENT_ADMIN_PASSWORD", Operator.Password);
        builder.UseSetting("Jobs:Enabled", "false");
        builder.UseSetting("Access:FlushSeconds", "0"); // tests flush activity explicitly
        builder.UseSetting("Usage:FlushSeconds", "0"); // tests flush usage explicitly
        builder.UseSetting("Usage:EnforceLimits", "false"); // counted, never refused; UsageApp turns it on
        builder.UseSetting("Auth:PasswordHashIterations", "1000");
        builder.UseSetting("RateLimits:SignUpPerHour", "100000");
        builder.UseSetting("RateLimits:SignInPerMinute", "100000");
        builder.UseSetting("RateLimits:OrganizationsPerHour", "100000");
        builder.UseSetting("Sso:AllowHttpLoopback", "true"); // the tests' OpenID provider listens on http://127.0.0.1
        foreach (var (key, value) in ExtraSettings) builder.UseSetting(key, value);
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.RemoveAll<Intelagent.Server.Security.Sso.IDnsTxtLookup>();
            services.AddSingleton<Intelagent.Server.Security.Sso.IDnsTxtLookup>(Dns);
        });
    }

    protected virtual IEnumerable<(string Key, string Value)> ExtraSettings => [];

    public static class Operator
    {
        public const string Email = "operator@tests.intelagent.test";
        public const string Password = "operator-password-1";
    }

    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    public HttpClient WithToken(string token, string? organizationId = null)
    {
        var client = Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (organizationId is not null) client.DefaultRequestHeaders.Add(TenantResolutionMiddleware.Header, organizationId);
        return client;
    }

    /// <summary>A database context outside any request, acting for no tenant (use IgnoreQueryFilters) or for one.</summary>
    public async Task<T> WithDbAsync<T>(Func<AppDb, Task<T>> work, string? organizationId = null)
    {
        await using var scope = Services.CreateAsyncScope();
        if (organizationId is not null) scope.ServiceProvider.GetRequiredService<RequestContext>().SetTenant(organizationId, null);
        return await work(scope.ServiceProvider.GetRequiredService<AppDb>());
    }

    /// <summary>Dispatches every pending outbox message now, instead of waiting for the background loop.</summary>
    public async Task DispatchEventsAsync()
    {
        var dispatcher = Services.GetRequiredService<OutboxDispatcher>();
        while (await dispatcher.DispatchPendingAsync(CancellationToken.None) > 0) { }
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await DropDatabaseAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
    }
}
