namespace Intelagent.Server.Realtime.Presence;

/// <summary>
/// Where someone is present: an organization (online at all) or one of its documents. The key names
/// the Redis keys and the in-memory entries; ids never contain ':'.
/// </summary>
public sealed record PresenceScope(string OrganizationId, string? DocumentId)
{
    public static PresenceScope Organization(string organizationId) => new(organizationId, null);

    public static PresenceScope Document(string organizationId, string documentId) => new(organizationId, documentId);

    public string Key => DocumentId is null ? $"org:{OrganizationId}" : $"doc:{OrganizationId}:{DocumentId}";

    /// <summary>
    /// Who receives this scope's <c>presence:updated</c>: the connections that asked to watch the
    /// organization's presence (members who may list members), or that joined the document. Opt-in,
    /// so a connect storm of N people is not N x N deliveries to connections that never show presence.
    /// </summary>
    public string Group => DocumentId is null ? $"presence:{OrganizationId}" : $"doc:{DocumentId}";

    public static PresenceScope? Parse(string key)
    {
        var parts = key.Split(':');
        return parts switch
        {
            ["org", var organizationId] => Organization(organizationId),
            ["doc", var organizationId, var documentId] => Document(organizationId, documentId),
            _ => null,
        };
    }
}

/// <summary>The distinct users present in a scope now; the version grows with every change, so a client keeps the highest it saw.</summary>
public sealed record PresenceSnapshot(PresenceScope Scope, long Version, IReadOnlyList<string> UserIds);

/// <summary>One present user as the API and the events show them.</summary>
public sealed record PresentUser(string UserId, string Name);

/// <summary>The body of <c>GET /api/presence</c>, <c>GET /api/documents/{id}/presence</c> and of the <c>presence:updated</c> event's payload.</summary>
public sealed record PresenceResponse(string OrganizationId, string? DocumentId, long Version, IReadOnlyList<PresentUser> Users);

/// <summary>
/// How long a presence entry lives without a refresh, and how often a node refreshes its live
/// connections' entries and removes expired ones. A node that dies stops refreshing, so its
/// connections disappear after <see cref="Timeout"/> at most (plus one sweep).
/// </summary>
public sealed record PresenceSettings(TimeSpan Timeout, TimeSpan SweepInterval)
{
    public static PresenceSettings From(IConfiguration configuration)
    {
        var timeout = TimeSpan.FromSeconds(Math.Max(10, configuration.GetValue("Presence:TimeoutSeconds", 60)));
        return new PresenceSettings(timeout, timeout / 4);
    }
}

/// <summary>Keeps who is present where: in memory on one node, in Redis across nodes.</summary>
public interface IPresenceStore
{
    /// <summary>Adds or refreshes a connection's entry; the snapshot when the user was not present before (the set changed), else null.</summary>
    Task<PresenceSnapshot?> AddAsync(PresenceScope scope, string userId, string connectionId, DateTimeOffset expiresAt, DateTimeOffset now);

    /// <summary>Removes a connection's entry; the snapshot when it was the user's last one (the set changed), else null.</summary>
    Task<PresenceSnapshot?> RemoveAsync(PresenceScope scope, string userId, string connectionId, DateTimeOffset now);

    /// <summary>Removes expired entries everywhere; the snapshots of the scopes whose set of users changed.</summary>
    Task<IReadOnlyList<PresenceSnapshot>> RemoveExpiredAsync(DateTimeOffset now);

    Task<PresenceSnapshot> ReadAsync(PresenceScope scope, DateTimeOffset now);
}
