using System.Security.Cryptography;
using System.Text.Json;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Realtime.Presence;
using Intelagent.Server.Realtime.Stream;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Intelagent.Server.Realtime.SocketIo;

/// <summary>
/// The packets a client sends, whatever the transport: Engine.IO pong/close/message, and inside
/// messages Socket.IO CONNECT (authenticated like the hub: the same JWT, a live session, the same
/// groups from <see cref="RealtimeAccess"/>, and replay from <c>lastEventId</c>) and DISCONNECT. Only the
/// default namespace exists; of client events only the presence ones (document:join, document:leave, presence:watch) mean something.
/// </summary>
public sealed class SocketIoProtocol(SocketIoConnections connections, PresenceTracker presence, IServiceScopeFactory scopes, ILogger<SocketIoProtocol> logger)
{
    /// <summary>The presence key of a session (hub connections use <c>hub:</c>).</summary>
    public static string PresenceKey(string sessionId) => "sio:" + sessionId;

    private sealed record ConnectAuth(string? Token, string? LastEventId);

    public static string NewId() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(15));

    public async Task HandleAsync(EngineIoSession session, string packet, CancellationToken cancellationToken)
    {
        if (packet.Length == 0) return;
        switch (packet[0])
        {
            case '3': session.OnPong(); break;
            case '1': session.Close(); break;
            case '4': await HandleMessageAsync(session, packet[1..], cancellationToken); break;
            default: break; // '6' noop; the probe and upgrade ('2probe', '5') belong to the WebSocket transport
        }
    }

    private async Task HandleMessageAsync(EngineIoSession session, string message, CancellationToken cancellationToken)
    {
        if (message.Length == 0) return;
        var type = message[0];
        var rest = message[1..];
        var ns = "";
        if (rest.StartsWith('/'))
        {
            var comma = rest.IndexOf(',');
            ns = comma < 0 ? rest : rest[..comma];
            rest = comma < 0 ? "" : rest[(comma + 1)..];
            if (ns == "/") ns = "";
        }
        if (ns.Length > 0)
        {
            if (type == '0') session.Send(SocketIoFrames.ConnectError(ns, "Invalid namespace"));
            return;
        }
        if (type == '0') await ConnectAsync(session, rest, cancellationToken);
        else if (type == '2' && session.Client is not null) await HandleEventAsync(session, rest, cancellationToken);
        else if (type == '1')
        {
            connections.Leave(session);
            session.Client = null;
        }
    }

    private async Task ConnectAsync(EngineIoSession session, string authJson, CancellationToken cancellationToken)
    {
        if (session.Client is not null) return;
        var auth = ParseAuth(authJson);
        var token = auth.Token ?? session.HandshakeQuery["access_token"].ToString();
        if (string.IsNullOrEmpty(token))
        {
            session.Send(SocketIoFrames.ConnectError("", "Authentication required: connect with auth: { token }."));
            return;
        }
        await using var scope = scopes.CreateAsyncScope();
        var identity = await AuthenticateAsync(scope.ServiceProvider, token, cancellationToken);
        if (identity is not { } signedIn)
        {
            session.Send(SocketIoFrames.ConnectError("", "The token is invalid, expired, or its session has ended."));
            return;
        }
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var access = await RealtimeAccess.LoadAcrossTenantsAsync(db, signedIn.Session.UserId, signedIn.Session.IsOperator, cancellationToken);
        var client = new SocketIoClient(NewId(), signedIn.Session.UserId, signedIn.Session.IsOperator, signedIn.Session.SessionId, signedIn.TokenExpiresAt, access.Groups());
        // Groups first, then the answer, then the replay (as the hub): an event committed meanwhile
        // may arrive twice, never not at all; clients drop ids they already handled.
        connections.Join(session, client);
        session.Send(SocketIoFrames.Connected(client.Sid));
        await presence.ConnectAsync(PresenceKey(session.Id), client.UserId, access.Roles.Keys, (group, join) =>
        {
            if (join) connections.JoinGroup(session, group);
            else connections.LeaveGroup(session, group);
            return Task.CompletedTask;
        });
        // Closed while connecting: the leave already ran, so undo the presence it could not see.
        if (session.Client is null || session.Closed.IsCancellationRequested) await presence.DisconnectAsync(PresenceKey(session.Id));
        var lastEventId = auth.LastEventId ?? session.HandshakeQuery["lastEventId"].ToString();
        if (string.IsNullOrEmpty(lastEventId)) return;
        var missed = await scope.ServiceProvider.GetRequiredService<RealtimeReplay>().MissedAsync(access, lastEventId, cancellationToken);
        foreach (var e in missed.Events) session.Send(SocketIoFrames.Event(e));
    }

    /// <summary>
    /// Client events: <c>document:join</c> and <c>document:leave</c> with a document id (or <c>{documentId}</c>),
    /// <c>presence:watch</c> with an organization id (or <c>{organizationId}</c>),
    /// answered through the acknowledgement when the client asked for one (<c>socket.emitWithAck</c>).
    /// </summary>
    private async Task HandleEventAsync(EngineIoSession session, string packet, CancellationToken cancellationToken)
    {
        var digits = 0;
        while (digits < packet.Length && char.IsAsciiDigit(packet[digits])) digits++;
        string? name, argument;
        try
        {
            using var document = JsonDocument.Parse(packet[digits..]);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array || root.GetArrayLength() < 2) return;
            name = root[0].ValueKind == JsonValueKind.String ? root[0].GetString() : null;
            argument = root[1].ValueKind == JsonValueKind.String ? root[1].GetString()
                : root[1].ValueKind == JsonValueKind.Object ? StringProperty(root[1], "documentId") ?? StringProperty(root[1], "organizationId") : null;
        }
        catch (JsonException) { return; }
        var key = PresenceKey(session.Id);
        object answer;
        if (name is "document:join" or "presence:watch")
        {
            var answered = name == "document:join" ? await presence.JoinDocumentAsync(key, argument ?? "", cancellationToken)
                : await presence.WatchOrganizationAsync(key, argument ?? "", cancellationToken);
            answer = answered.IsSuccess ? answered.Value! : new { error = answered.Error!.Detail };
        }
        else if (name == "document:leave")
        {
            await presence.LeaveDocumentAsync(key, argument ?? "");
            answer = new { left = argument };
        }
        else return;
        if (digits > 0) session.Send(SocketIoFrames.Ack(packet[..digits], answer));
    }

    /// <summary>Runs the JWT scheme of the HTTP API on the token (signature, expiry, live session), then checks the session as the hub does.</summary>
    private async Task<(SessionInfo Session, DateTimeOffset TokenExpiresAt)?> AuthenticateAsync(IServiceProvider services, string token, CancellationToken cancellationToken)
    {
        var http = new DefaultHttpContext { RequestServices = services };
        http.Request.Headers.Authorization = "Bearer " + token;
        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!result.Succeeded) return null;
        var userId = result.Principal.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var sessionId = result.Principal.FindFirst(TokenService.SessionClaim)?.Value;
        var session = sessionId is null ? null : await services.GetRequiredService<SessionCache>().GetActiveAsync(sessionId, cancellationToken);
        if (session is null || session.UserId != userId) return null;
        var expires = long.TryParse(result.Principal.FindFirst(JwtRegisteredClaimNames.Exp)?.Value, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds) : session.ExpiresAt;
        return (session, expires);
    }

    private ConnectAuth ParseAuth(string json)
    {
        if (json.Length == 0) return new ConnectAuth(null, null);
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) return new ConnectAuth(null, null);
            return new ConnectAuth(StringProperty(document.RootElement, "token"), StringProperty(document.RootElement, "lastEventId"));
        }
        catch (JsonException exception)
        {
            logger.LogDebug(exception, "Unreadable socket.io CONNECT payload");
            return new ConnectAuth(null, null);
        }
    }

    private static string? StringProperty(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
