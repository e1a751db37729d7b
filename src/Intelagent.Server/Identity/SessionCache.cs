using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;

namespace Intelagent.Server.Identity;

public sealed record SessionInfo(string SessionId, string UserId, bool IsOperator, DateTimeOffset ExpiresAt, bool Revoked,
    DateTimeOffset CreatedAt, DateTimeOffset? LastActivityAt, DateTimeOffset PasswordChangedAt, bool TwoFactorEnabled);

/// <summary>
/// Whether a token's session is still alive, without a database read per request: entries are
/// cached briefly and dropped at once on this node when a session is revoked or a user changes.
/// With <c>REDIS_URL</c> other nodes drop their copy within milliseconds; without Redis (or while it is
/// away) they notice a revocation within <see cref="Ttl"/>.
/// </summary>
public sealed class SessionCache(IMemoryCache cache, IServiceScopeFactory scopes, TimeProvider clock, CacheInvalidation invalidation)
{
    public static readonly TimeSpan Ttl = TimeSpan.FromSeconds(15);

    public async Task<SessionInfo?> GetActiveAsync(string sessionId, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(Key(sessionId), out SessionInfo? info))
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AppDb>();
            info = await db.Sessions.AsNoTracking()
                .Where(s => s.Id == sessionId)
                .Join(db.Users, s => s.UserId, u => u.Id, (s, u) => new SessionInfo(s.Id, u.Id, u.IsPlatformOperator, s.ExpiresAt, s.RevokedAt != null,
                    s.CreatedAt, s.LastActivityAt, u.PasswordChangedAt, db.Set<TwoFactorCredential>().Any(t => t.UserId == u.Id && t.EnabledAt != null)
                        || db.Set<SmsPhone>().Any(p => p.UserId == u.Id && p.VerifiedAt != null)))
                .FirstOrDefaultAsync(cancellationToken);
            cache.Set(Key(sessionId), info, Ttl);
        }
        return info is { Revoked: false } && info.ExpiresAt > clock.GetUtcNow() ? info : null;
    }

    /// <summary>After a revocation or a change of the user: dropped on every node (see <see cref="CacheInvalidation"/>).</summary>
    public void Forget(string sessionId) => invalidation.Forget(Key(sessionId));

    /// <summary>After this node flushed the session's last activity: only this node's copy is stale enough to matter.</summary>
    public void ForgetOnThisNode(string sessionId) => cache.Remove(Key(sessionId));

    private static string Key(string sessionId) => "session:" + sessionId;
}
