using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Realtime.Presence;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>What <see cref="EventsHub.Resume"/> answers after sending the missed events.</summary>
public sealed record ResumeResult(int Replayed, string? LastEventId, bool Complete);

/// <summary>
/// The realtime hub at <c>/hubs/events</c>. A connection joins its user's groups on connect (every
/// organization it belongs to, per permission, its teams, its user, operators); events arrive under
/// their type as the method name (<c>connection.on("activity:new", e => ...)</c>). A client that
/// reconnects passes the last id it saw, in the <c>lastEventId</c> query parameter or to
/// <see cref="Resume"/>, and receives what it missed first, in order.
/// </summary>
[Authorize]
public sealed class EventsHub(RealtimeConnections connections, RealtimeReplay replay, AppDb db, SessionCache sessions, PresenceTracker presence,
    IHubContext<EventsHub> hub) : Hub
{
    private const string AccessKey = "realtime:access";

    public override async Task OnConnectedAsync()
    {
        var userId = Context.User?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var sessionId = Context.User?.FindFirst(TokenService.SessionClaim)?.Value;
        var session = sessionId is null ? null : await sessions.GetActiveAsync(sessionId, Context.ConnectionAborted);
        if (userId is null || session is null || session.UserId != userId)
        {
            Context.Abort();
            return;
        }
        var access = await RealtimeAccess.LoadAcrossTenantsAsync(db, userId, session.IsOperator, Context.ConnectionAborted);
        Context.Items[AccessKey] = (userId, session.IsOperator);
        await connections.JoinAsync(Context, access, session.SessionId, Context.ConnectionAborted);
        var connectionId = Context.ConnectionId;
        await presence.ConnectAsync(PresenceKey, userId, access.Roles.Keys, (group, join) =>
            join ? hub.Groups.AddToGroupAsync(connectionId, group) : hub.Groups.RemoveFromGroupAsync(connectionId, group));
        var lastEventId = Context.GetHttpContext()?.Request.Query["lastEventId"].ToString();
        if (!string.IsNullOrEmpty(lastEventId)) await ReplayAsync(access, lastEventId);
    }

    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Leave(Context.ConnectionId);
        await presence.DisconnectAsync(PresenceKey);
    }

    /// <summary>Enters a document's presence (the caller must read it): its viewers hear <c>presence:updated</c>; answers who is there.</summary>
    public async Task<PresenceResponse> JoinDocument(string documentId)
    {
        var joined = await presence.JoinDocumentAsync(PresenceKey, documentId ?? "", Context.ConnectionAborted);
        return joined.IsSuccess ? joined.Value! : throw new HubException(joined.Error!.Detail);
    }

    /// <summary>Starts receiving the organization's <c>presence:updated</c> (who is online); answers who is online now.</summary>
    public async Task<PresenceResponse> WatchPresence(string organizationId)
    {
        var watched = await presence.WatchOrganizationAsync(PresenceKey, organizationId ?? "", Context.ConnectionAborted);
        return watched.IsSuccess ? watched.Value! : throw new HubException(watched.Error!.Detail);
    }

    public Task LeaveDocument(string documentId) => presence.LeaveDocumentAsync(PresenceKey, documentId ?? "");

    private string PresenceKey => "hub:" + Context.ConnectionId;

    /// <summary>Sends the events after <paramref name="lastEventId"/> that this user may see, oldest first.</summary>
    public async Task<ResumeResult> Resume(string? lastEventId)
    {
        if (Context.Items[AccessKey] is not (string userId, bool isOperator)) throw new HubException("Not connected.");
        var access = await RealtimeAccess.LoadAcrossTenantsAsync(db, userId, isOperator, Context.ConnectionAborted);
        return await ReplayAsync(access, lastEventId);
    }

    private async Task<ResumeResult> ReplayAsync(RealtimeAccess access, string? lastEventId)
    {
        var missed = await replay.MissedAsync(access, lastEventId, Context.ConnectionAborted);
        foreach (var e in missed.Events) await Clients.Caller.SendAsync(e.Type, RealtimeMessage.From(e), Context.ConnectionAborted);
        return new ResumeResult(missed.Events.Count, missed.Events.Count > 0 ? missed.Events[^1].Id : lastEventId, missed.Complete);
    }
}
