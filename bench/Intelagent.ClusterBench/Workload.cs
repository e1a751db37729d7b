using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;

namespace Intelagent.ClusterBench;

/// <summary>The request classes of the mix, with their share of the workers' requests.</summary>
public enum RequestClass { Read, Write, Metered }

/// <summary>Latencies of one class (Stopwatch ticks, or ms for deliveries) and how the answers ended.</summary>
public sealed class Samples
{
    private readonly ConcurrentQueue<double> _milliseconds = new();
    private int _errors;
    public ConcurrentDictionary<string, int> Outcomes { get; } = new();

    public void Add(double milliseconds, string outcome, bool error)
    {
        _milliseconds.Enqueue(milliseconds);
        Outcomes.AddOrUpdate(outcome, 1, (_, n) => n + 1);
        if (error) Interlocked.Increment(ref _errors);
    }

    public int Count => _milliseconds.Count;
    public int Errors => _errors;

    /// <summary>Nearest-rank percentiles.</summary>
    public (double P50, double P99, double Max) Percentiles()
    {
        var sorted = _milliseconds.ToArray();
        if (sorted.Length == 0) return (0, 0, 0);
        Array.Sort(sorted);
        double At(double p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
        return (At(50), At(99), sorted[^1]);
    }
}

/// <summary>
/// The mixed workload: closed-loop workers, each request drawn from the mix (reads of a project list
/// with the owner's token, writes that rename a project's description — audited, and announced as
/// <c>activity:new</c> to the organization — and metered reads with the organization's API key),
/// while SignalR clients of the same organizations (WebSockets, through the same origin) receive the
/// writes' activity. A delivery's latency runs from the change's own time (the activity's
/// <c>createdAt</c>, on this machine's clock) to its arrival.
/// </summary>
public sealed class Workload(HttpClient http, IReadOnlyList<Tenant> tenants, Uri origin, int readShare, int writeShare)
{
    public Dictionary<RequestClass, Samples> Requests { get; } = Enum.GetValues<RequestClass>().ToDictionary(c => c, _ => new Samples());
    public Samples Deliveries { get; } = new();
    private readonly List<HubConnection> _listeners = [];
    private volatile bool _measuring;

    public async Task ConnectListenersAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var tenant = tenants[i % tenants.Count];
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(origin, "/hubs/events"), options =>
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(tenant.OwnerToken);
                    options.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets;
                    options.SkipNegotiation = true;
                })
                .Build();
            connection.On<JsonElement>("activity:new", message =>
            {
                if (!_measuring) return;
                var payload = message.GetProperty("payload");
                if (payload.TryGetProperty("createdAt", out var created) && created.TryGetDateTimeOffset(out var at))
                    Deliveries.Add((DateTimeOffset.UtcNow - at).TotalMilliseconds, "delivered", error: false);
            });
            await connection.StartAsync();
            _listeners.Add(connection);
        }
    }

    public async Task DisconnectListenersAsync()
    {
        foreach (var connection in _listeners) await connection.DisposeAsync();
    }

    /// <summary>Runs workers until the time or request bound; only the measured phase records.</summary>
    public async Task<double> RunAsync(int workers, TimeSpan duration, int maxRequests, bool measure)
    {
        _measuring = measure;
        var issued = 0;
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w * 7919 + (measure ? 1 : 0));
            while (Stopwatch.GetTimestamp() < deadline && Interlocked.Increment(ref issued) <= maxRequests)
            {
                var tenant = tenants[random.Next(tenants.Count)];
                var project = tenant.ProjectIds[random.Next(tenant.ProjectIds.Count)];
                var draw = random.Next(100);
                var kind = draw < readShare ? RequestClass.Read : draw < readShare + writeShare ? RequestClass.Write : RequestClass.Metered;
                using var request = Build(kind, tenant, project, random);
                var begin = Stopwatch.GetTimestamp();
                string outcome;
                var error = true;
                try
                {
                    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                    outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    error = !response.IsSuccessStatusCode;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    outcome = "exception " + exception.GetType().Name;
                }
                if (measure) Requests[kind].Add(Stopwatch.GetElapsedTime(begin).TotalMilliseconds, outcome, error);
            }
        })));
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        // Deliveries of the last writes are still in flight: give them a moment before the tally.
        await Task.Delay(TimeSpan.FromSeconds(1));
        _measuring = false;
        return elapsed;
    }

    private static HttpRequestMessage Build(RequestClass kind, Tenant tenant, string project, Random random)
    {
        HttpRequestMessage request;
        switch (kind)
        {
            case RequestClass.Read:
                request = new HttpRequestMessage(HttpMethod.Get, $"/api/organizations/{tenant.OrganizationId}/projects?limit=20");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.OwnerToken);
                break;
            case RequestClass.Write:
                request = new HttpRequestMessage(HttpMethod.Patch, $"/api/projects/{project}")
                {
                    Content = JsonContent.Create(new { description = "bench " + random.Next(1_000_000) }),
                };
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tenant.OwnerToken);
                break;
            default:
                request = new HttpRequestMessage(HttpMethod.Get, $"/api/projects/{project}");
                request.Headers.Add("X-Api-Key", tenant.ApiKey);
                break;
        }
        return request;
    }
}
