using System.Threading.Channels;

namespace Intelagent.Server.Realtime.SocketIo;

/// <summary>Heartbeat and size limits announced in the Engine.IO open packet.</summary>
public sealed record EngineIoSettings(TimeSpan PingInterval, TimeSpan PingTimeout, int MaxPayload)
{
    public static EngineIoSettings From(IConfiguration configuration) => new(
        TimeSpan.FromMilliseconds(configuration.GetValue("SocketIo:PingIntervalMilliseconds", 25_000)),
        TimeSpan.FromMilliseconds(configuration.GetValue("SocketIo:PingTimeoutMilliseconds", 20_000)),
        configuration.GetValue("SocketIo:MaxPayload", 1_000_000));
}

/// <summary>
/// One Engine.IO v4 session: an outbound queue of encoded packets that either a long-polling GET or,
/// after the upgrade, a WebSocket writer drains, and the heartbeat (the server pings, the client
/// must answer within the timeout). Packets are shared byte arrays: a broadcast is encoded once and
/// the same array is queued on every recipient session.
/// </summary>
public sealed class EngineIoSession
{
    /// <summary>A client that lets this many packets pile up is too slow: it is closed and resumes by replay.</summary>
    private const int QueueLimit = 4096;

    private static readonly byte[] Ping = "2"u8.ToArray();

    private readonly Channel<byte[]> _outbound = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(QueueLimit) { FullMode = BoundedChannelFullMode.Wait });
    private readonly CancellationTokenSource _closed = new();
    private readonly ITimer _heartbeat;
    private readonly EngineIoSettings _settings;
    private readonly Action<EngineIoSession> _onClosed;
    private readonly Lock _gate = new();
    private bool _awaitingPong;
    private int _polling;
    private CancellationTokenSource? _poll;

    public EngineIoSession(string id, IQueryCollection handshakeQuery, EngineIoSettings settings, TimeProvider clock, Action<EngineIoSession> onClosed)
    {
        Id = id;
        HandshakeQuery = handshakeQuery;
        _settings = settings;
        _onClosed = onClosed;
        _heartbeat = clock.CreateTimer(_ => OnHeartbeat(), null, settings.PingInterval, Timeout.InfiniteTimeSpan);
    }

    public string Id { get; }

    /// <summary>The query of the request that opened the session (<c>access_token</c> may be there).</summary>
    public IQueryCollection HandshakeQuery { get; }

    /// <summary>True once the client completed the upgrade: polling requests are then refused.</summary>
    public bool Upgraded { get; private set; }

    /// <summary>Between the probe and the upgrade: polls answer a noop at once so the client can pause polling.</summary>
    public bool Upgrading { get; private set; }

    public CancellationToken Closed => _closed.Token;

    public ChannelReader<byte[]> Outbound => _outbound.Reader;

    /// <summary>The Socket.IO connection of the default namespace, once CONNECT succeeded.</summary>
    public SocketIoClient? Client { get; set; }

    /// <summary>Queues a packet; a client whose queue is full is closed (it resumes by replay).</summary>
    public void Send(byte[] packet)
    {
        if (_outbound.Writer.TryWrite(packet) || _closed.IsCancellationRequested) return;
        Close();
    }

    public void OnPong()
    {
        lock (_gate)
        {
            _awaitingPong = false;
            _heartbeat.Change(_settings.PingInterval, Timeout.InfiniteTimeSpan);
        }
    }

    private void OnHeartbeat()
    {
        bool timedOut;
        lock (_gate)
        {
            timedOut = _awaitingPong;
            _awaitingPong = true;
            if (!timedOut) _heartbeat.Change(_settings.PingTimeout, Timeout.InfiniteTimeSpan);
        }
        if (timedOut) Close();
        else Send(Ping);
    }

    /// <summary>Starts a long-polling GET; false when another one is running (a protocol error).</summary>
    public bool TryBeginPoll(out CancellationToken pollCancelled)
    {
        pollCancelled = default;
        if (Interlocked.Exchange(ref _polling, 1) == 1) return false;
        var poll = CancellationTokenSource.CreateLinkedTokenSource(_closed.Token);
        lock (_gate) _poll = poll;
        pollCancelled = poll.Token;
        return true;
    }

    public void EndPoll()
    {
        lock (_gate)
        {
            _poll?.Dispose();
            _poll = null;
        }
        Volatile.Write(ref _polling, 0);
    }

    /// <summary>The probe succeeded: the pending poll ends (with a noop) so the client can pause polling.</summary>
    public void BeginUpgrade()
    {
        Upgrading = true;
        lock (_gate) _poll?.Cancel();
    }

    public void CompleteUpgrade()
    {
        Upgrading = false;
        Upgraded = true;
    }

    public void Close()
    {
        lock (_gate)
        {
            if (_closed.IsCancellationRequested) return;
            _closed.Cancel();
        }
        _outbound.Writer.TryComplete();
        _heartbeat.Dispose();
        _onClosed(this);
    }
}
