using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Realtime.Stream;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.RealtimeBench;

/// <summary>
/// The server side of bench/realtime-broadcast.sh: the whole Intelagent server (Release, SQLite) on
/// a loopback port, and its publisher in this process, as the Node socket.io server publishes in its
/// own. Lines on stdin drive it: "publish <count> <intervalMs>", "quit". Each broadcast goes the real
/// way (RealtimePublisher: stored, then sent to one group on the hub and the socket.io endpoint),
/// with the publish time (Unix ms, fractional) in its payload.
/// </summary>
public static class RealtimeBenchHost
{
    public static async Task Main()
    {
        // The server's content root (appsettings, static assets): its source folder, found upwards from here.
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !Directory.Exists(Path.Combine(root.FullName, "src", "Intelagent.Server"))) root = root.Parent;
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_INTELAGENT_SERVER", Path.Combine(root!.FullName, "src", "Intelagent.Server"));
        var data = Directory.CreateTempSubdirectory("intelagent-realtime-bench-").FullName;
        await using var factory = new BenchServer(data);
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        var url = factory.ClientOptions.BaseAddress.ToString().TrimEnd('/');
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        var register = await http.PostAsJsonAsync("/api/auth/register", new { email = $"bench-{Guid.NewGuid():N}@example.test", password = "correct-horse-battery", name = "Bench", organizationName = "Bench" });
        register.EnsureSuccessStatusCode();
        var body = await register.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString();
        var organizationId = body.GetProperty("user").GetProperty("organizationId").GetString()!;
        Console.WriteLine($"READY {url} {token} {Environment.ProcessId}");

        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts is ["quit"]) break;
            if (parts is not ["publish", var countText, var intervalText]) continue;
            var interval = TimeSpan.FromMilliseconds(double.Parse(intervalText, System.Globalization.CultureInfo.InvariantCulture));
            for (var seq = 0; seq < int.Parse(countText, System.Globalization.CultureInfo.InvariantCulture); seq++)
            {
                var started = DateTime.UtcNow;
                await using (var scope = factory.Services.CreateAsyncScope())
                {
                    var publisher = scope.ServiceProvider.GetRequiredService<RealtimePublisher>();
                    var t = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds;
                    publisher.Stage(RealtimeDraft.ForOrganization(organizationId, RealtimeEventTypes.MetricsUpdated, null, new { seq, t }));
                    await publisher.CommitAsync(CancellationToken.None);
                }
                var rest = interval - (DateTime.UtcNow - started);
                if (rest > TimeSpan.Zero) await Task.Delay(rest);
            }
            Console.WriteLine("PUBLISHED");
        }
        try { Directory.Delete(data, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The server with a private SQLite database and the limits a benchmark must not hit.</summary>
internal sealed class BenchServer(string data) : WebApplicationFactory<global::Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("DATABASE_URL", "sqlite:" + Path.Combine(data, "bench.db"));
        builder.UseSetting("INTELAGENT_DATA_DIR", data);
        builder.UseSetting("INTELAGENT_DEMO", "0");
        builder.UseSetting("JWT_SECRET", "realtime-bench-secret-that-is-long-enough-for-hmac");
        builder.UseSetting("Jobs:Enabled", "false");
        builder.UseSetting("RateLimits:SignUpPerHour", "100000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    }
}
