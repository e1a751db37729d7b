using System.Net;
using System.Text.Json;
using System.Threading.Channels;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Realtime;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Intelagent.Tests.Cluster;

/// <summary>
/// A SignalR client of /hubs/events over real HTTP (a node or nginx), the way a browser uses it: a
/// cookie jar (nginx's sticky cookie lives there), automatic reconnects, and after a reconnect a
/// Resume from the last event id it saw, so nothing published meanwhile is lost.
/// </summary>
public sealed class ClusterHubClient : IAsyncDisposable
{
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private readonly System.Collections.Concurrent.ConcurrentQueue<Received> _all = new();
    private readonly TaskCompletionSource _reconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _lastEventId;

    public HubConnection Connection { get; }

    public CookieContainer Cookies { get; } = new();

    public Uri BaseUrl { get; }

    /// <summary>Completes after the first reconnect and its Resume have finished.</summary>
    public Task Reconnected => _reconnected.Task;

    private ClusterHubClient(Uri baseUrl, string token, HttpTransportType transport)
    {
        BaseUrl = baseUrl;
        Connection = new HubConnectionBuilder()
            .WithUrl(new Uri(baseUrl, "/hubs/events"), options =>
            {
                options.Transports = transport;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                options.Cookies = Cookies;
            })
            .WithAutomaticReconnect([TimeSpan.Zero, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(3)])
            .Build();
        foreach (var type in HubClient.Types)
            Connection.On<JsonElement>(type, body =>
            {
                var received = new Received(type, body);
                _lastEventId = received.Id;
                _all.Enqueue(received);
                _received.Writer.TryWrite(received);
            });
        Connection.Reconnected += async _ =>
        {
            try
            {
                await Connection.InvokeAsync<ResumeResult>("Resume", _lastEventId);
                _reconnected.TrySetResult();
            }
            catch (Exception exception) { _reconnected.TrySetException(exception); }
        };
    }

    public static async Task<ClusterHubClient> ConnectAsync(Uri baseUrl, string token, HttpTransportType transport = HttpTransportType.WebSockets, TimeSpan? timeout = null)
    {
        var client = new ClusterHubClient(baseUrl, token, transport);
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        await client.Connection.StartAsync(cancel.Token);
        // Answered only after OnConnectedAsync joined the groups: from here on events reach this client.
        await client.Connection.InvokeAsync<ResumeResult>("Resume", null, cancel.Token);
        return client;
    }

    /// <summary>Every event received so far, in arrival order.</summary>
    public IReadOnlyCollection<Received> All => _all.ToArray();

    /// <summary>The node nginx pinned this client to (its sticky cookie), if it went through nginx.</summary>
    public string? StickyNode => Cookies.GetCookies(BaseUrl)["intelagent_node"]?.Value;

    /// <summary>The next event, waiting at most <paramref name="seconds"/> seconds.</summary>
    public async Task<Received> NextAsync(int seconds = 10)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try { return await _received.Reader.ReadAsync(timeout.Token); }
        catch (OperationCanceledException) { throw new Xunit.Sdk.XunitException($"No realtime event arrived within {seconds} s."); }
    }

    /// <summary>Events until one satisfies <paramref name="last"/> (included), within <paramref name="seconds"/> seconds in all.</summary>
    public async Task<List<Received>> UntilAsync(Func<Received, bool> last, int seconds = 20)
    {
        var events = new List<Received>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            while (true)
            {
                var received = await _received.Reader.ReadAsync(timeout.Token);
                events.Add(received);
                if (last(received)) return events;
            }
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"The awaited realtime event did not arrive within {seconds} s; got {events.Count} others.");
        }
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
