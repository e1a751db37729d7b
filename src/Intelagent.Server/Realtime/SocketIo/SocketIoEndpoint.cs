using System.Buffers;
using System.Net.WebSockets;
using System.Text;

namespace Intelagent.Server.Realtime.SocketIo;

/// <summary>
/// The Engine.IO v4 transports at <c>/socket.io/</c>: HTTP long-polling (GET drains the session's
/// queue, POST carries the client's packets, both separated by the record separator 0x1E) and
/// WebSocket (one packet per text frame), either directly or as an upgrade of a polling session
/// (<c>2probe</c>/<c>3probe</c>, then <c>5</c>). See docs/decisions/010-socketio-endpoint.md.
/// </summary>
public sealed class SocketIoEndpoint(SocketIoConnections connections, SocketIoProtocol protocol, EngineIoSettings settings, TimeProvider clock, ILogger<SocketIoEndpoint> logger)
{
    private const byte RecordSeparator = 0x1e;

    public async Task HandleAsync(HttpContext http)
    {
        var query = http.Request.Query;
        http.Response.Headers.CacheControl = "no-store";
        if (query["EIO"] != "4")
        {
            await SocketIoFrames.WriteErrorAsync(http.Response, 5, "Unsupported protocol version");
            return;
        }
        var transport = query["transport"].ToString();
        var sid = query["sid"].ToString();
        var session = sid.Length == 0 ? null : connections.Find(sid);
        if (sid.Length > 0 && (session is null || session.Upgraded || (transport == "websocket" && session.Upgrading)))
        {
            await SocketIoFrames.WriteErrorAsync(http.Response, 1, "Session ID unknown");
            return;
        }
        if (transport == "websocket" && http.WebSockets.IsWebSocketRequest) await RunWebSocketAsync(http, session);
        else if (transport == "websocket") await SocketIoFrames.WriteErrorAsync(http.Response, 3, "Bad request");
        else if (transport != "polling") await SocketIoFrames.WriteErrorAsync(http.Response, 0, "Transport unknown");
        else if (session is null && HttpMethods.IsGet(http.Request.Method))
            await WriteAsync(http.Response, SocketIoFrames.Open(Open(query).Id, canUpgrade: true, settings));
        else if (session is not null && HttpMethods.IsGet(http.Request.Method)) await PollAsync(http, session);
        else if (session is not null && HttpMethods.IsPost(http.Request.Method)) await ReceiveAsync(http, session);
        else await SocketIoFrames.WriteErrorAsync(http.Response, 3, "Bad request");
    }

    private EngineIoSession Open(IQueryCollection query)
    {
        var session = new EngineIoSession(SocketIoProtocol.NewId(), query, settings, clock, connections.Remove);
        connections.Add(session);
        return session;
    }

    private async Task PollAsync(HttpContext http, EngineIoSession session)
    {
        if (!session.TryBeginPoll(out var pollCancelled))
        {
            // Two polls at once is a protocol violation: engine.io closes the session too.
            session.Close();
            await SocketIoFrames.WriteErrorAsync(http.Response, 3, "Bad request");
            return;
        }
        try
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(pollCancelled, http.RequestAborted);
            bool available;
            try { available = !session.Upgrading && await session.Outbound.WaitToReadAsync(wait.Token); }
            catch (OperationCanceledException) when (!http.RequestAborted.IsCancellationRequested) { available = false; }
            if (http.RequestAborted.IsCancellationRequested) return;
            if (!available)
            {
                // Closed: tell the client; upgrading: a noop ends this poll so the client can pause.
                await WriteAsync(http.Response, session.Closed.IsCancellationRequested ? SocketIoFrames.Close : SocketIoFrames.Noop);
                return;
            }
            var body = new ArrayBufferWriter<byte>();
            while (session.Outbound.TryPeek(out var packet) && (body.WrittenCount == 0 || body.WrittenCount + 1 + packet.Length <= settings.MaxPayload))
            {
                session.Outbound.TryRead(out _);
                if (body.WrittenCount > 0) body.Write([RecordSeparator]);
                body.Write(packet);
            }
            await WriteAsync(http.Response, body.WrittenMemory);
        }
        finally
        {
            session.EndPoll();
        }
    }

    private async Task ReceiveAsync(HttpContext http, EngineIoSession session)
    {
        if (http.Request.ContentLength > settings.MaxPayload)
        {
            http.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return;
        }
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        foreach (var packet in body.Split((char)RecordSeparator))
            await protocol.HandleAsync(session, packet, http.RequestAborted);
        http.Response.ContentType = "text/html";
        await http.Response.WriteAsync("ok", http.RequestAborted);
    }

    private async Task RunWebSocketAsync(HttpContext http, EngineIoSession? upgrading)
    {
        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var session = upgrading ?? Open(http.Request.Query);
        Task? writer = null;
        if (upgrading is null)
        {
            await socket.SendAsync(SocketIoFrames.Open(session.Id, canUpgrade: false, settings), WebSocketMessageType.Text, true, http.RequestAborted);
            writer = WriteLoopAsync(socket, session);
        }
        using var reading = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted);
        // After the server closes the session, give the client a moment to answer the close frame.
        using var closing = session.Closed.Register(() => reading.CancelAfter(TimeSpan.FromSeconds(2)));
        try
        {
            await foreach (var packet in ReadLoopAsync(socket, reading.Token))
            {
                if (upgrading is not null && !session.Upgraded)
                {
                    if (packet == "2probe")
                    {
                        await socket.SendAsync(SocketIoFrames.ProbeAnswer, WebSocketMessageType.Text, true, reading.Token);
                        session.BeginUpgrade();
                    }
                    else if (packet == "5" && session.Upgrading)
                    {
                        session.CompleteUpgrade();
                        writer = WriteLoopAsync(socket, session);
                    }
                    continue;
                }
                await protocol.HandleAsync(session, packet, reading.Token);
            }
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException)
        {
            logger.LogDebug(exception, "socket.io WebSocket of session {Sid} ended", session.Id);
        }
        finally
        {
            // The WebSocket carried the session (or was about to): its end ends the session. A probe
            // that never completed leaves the polling session as it was.
            if (upgrading is null || session.Upgraded || session.Upgrading) session.Close();
            if (writer is not null) await writer;
        }
    }

    /// <summary>
    /// The client's messages. An idle connection holds no buffer: a zero-byte receive waits for the next
    /// frame, and only then is a buffer rented from the pool, for as long as that message takes
    /// (thousands of mostly idle sessions would otherwise keep 4 KB each).
    /// </summary>
    private async IAsyncEnumerable<string> ReadLoopAsync(WebSocket socket, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        while (socket.State == WebSocketState.Open)
        {
            var waiting = await socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken);
            if (waiting.MessageType == WebSocketMessageType.Close) yield break;
            var buffer = ArrayPool<byte>.Shared.Rent(4096);
            var written = 0;
            string? message = null;
            try
            {
                var result = waiting;
                while (!result.EndOfMessage)
                {
                    if (written == buffer.Length)
                    {
                        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                        buffer.AsSpan(0, written).CopyTo(larger);
                        ArrayPool<byte>.Shared.Return(buffer);
                        buffer = larger;
                    }
                    result = await socket.ReceiveAsync(buffer.AsMemory(written), cancellationToken);
                    if (result.MessageType == WebSocketMessageType.Close) yield break;
                    written += result.Count;
                    if (written > settings.MaxPayload) yield break;
                }
                if (result.MessageType == WebSocketMessageType.Text) message = Encoding.UTF8.GetString(buffer, 0, written);
            }
            finally { ArrayPool<byte>.Shared.Return(buffer); }
            if (message is not null) yield return message;
        }
    }

    private async Task WriteLoopAsync(WebSocket socket, EngineIoSession session)
    {
        try
        {
            await foreach (var packet in session.Outbound.ReadAllAsync())
                await socket.SendAsync(packet, WebSocketMessageType.Text, true, CancellationToken.None);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);
        }
        catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            session.Close();
        }
    }

    private static Task WriteAsync(HttpResponse response, ReadOnlyMemory<byte> body)
    {
        response.ContentType = "text/plain; charset=UTF-8";
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}
