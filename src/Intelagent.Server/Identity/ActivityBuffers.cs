using System.Collections.Concurrent;
using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Identity;

/// <summary>
/// The latest use of something (an API key, a session), kept in memory and written in batches:
/// the request path only touches a dictionary (decisions: "Hot paths").
/// </summary>
public class LastSeenBuffer
{
    private ConcurrentDictionary<string, LastSeen> _pending = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> _latest = new();

    public readonly record struct LastSeen(DateTimeOffset At, string? Ip);

    public void Record(string id, DateTimeOffset at, string? ip)
    {
        _pending[id] = new LastSeen(at, ip);
        _latest[id] = at;
    }

    /// <summary>The latest use this node has seen, flushed or not.</summary>
    public DateTimeOffset? LatestOnThisNode(string id) => _latest.TryGetValue(id, out var at) ? at : null;

    public void Forget(string id) => _latest.TryRemove(id, out _);

    /// <summary>After a flush the database holds the value: drop it here unless a newer use arrived, so memory stays bounded.</summary>
    public bool ForgetIfUnchanged(string id, DateTimeOffset at) => _latest.TryRemove(new KeyValuePair<string, DateTimeOffset>(id, at));

    /// <summary>Takes what is pending; what arrives meanwhile goes to the next batch.</summary>
    public IReadOnlyDictionary<string, LastSeen> Drain() => Interlocked.Exchange(ref _pending, new ConcurrentDictionary<string, LastSeen>());
}

/// <summary>Key uses, plus every distinct address a key came from within the interval (not only the latest), for the new-address check.</summary>
public sealed class ApiKeyUsage : LastSeenBuffer
{
    private const int AddressesPerKey = 16;
    private ConcurrentDictionary<string, ConcurrentDictionary<string, DateTimeOffset>> _addresses = new();

    public void RecordAddress(string id, DateTimeOffset at, string? ip)
    {
        if (ip is null) return;
        var seen = _addresses.GetOrAdd(id, _ => new ConcurrentDictionary<string, DateTimeOffset>());
        if (seen.Count < AddressesPerKey || seen.ContainsKey(ip)) seen[ip] = at;
    }

    public IReadOnlyDictionary<string, ConcurrentDictionary<string, DateTimeOffset>> DrainAddresses() =>
        Interlocked.Exchange(ref _addresses, new ConcurrentDictionary<string, ConcurrentDictionary<string, DateTimeOffset>>());
}

public sealed class SessionActivity : LastSeenBuffer;

/// <summary>
/// Writes the buffered key uses and session activity every <c>Access:FlushSeconds</c> (30 by
/// default) and at shutdown. Bulk updates: these columns are bookkeeping, not audited changes.
/// </summary>
public sealed class ActivityFlushService(ApiKeyUsage keys, SessionActivity sessions, SessionCache sessionCache, IServiceScopeFactory scopes,
    TimeProvider clock, IConfiguration configuration, ILogger<ActivityFlushService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // 0 turns the timer off (tests flush explicitly); the shutdown flush still runs.
        var interval = TimeSpan.FromSeconds(configuration.GetValue("Access:FlushSeconds", 30));
        if (interval <= TimeSpan.Zero) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
            try
            {
                await FlushAsync(CancellationToken.None);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                logger.LogWarning(exception, "Flushing key and session activity failed; retrying next round");
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try { await FlushAsync(cancellationToken); }
        catch (Exception exception) when (exception is not OperationCanceledException) { logger.LogWarning(exception, "Final activity flush failed"); }
    }

    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var keyUses = keys.Drain();
        var keyAddresses = keys.DrainAddresses();
        var sessionUses = sessions.Drain();
        if (keyUses.Count == 0 && sessionUses.Count == 0) return;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var request = scope.ServiceProvider.GetRequiredService<RequestContext>();
        foreach (var (id, seen) in keyUses)
        {
            var key = await db.Set<ApiKey>().IgnoreQueryFilters().AsNoTracking().Where(k => k.Id == id)
                .Select(k => new { k.OrganizationId, k.CreatedByUserId, k.LastUsedIp }).FirstOrDefaultAsync(cancellationToken);
            if (key is null) continue;
            // Every distinct address of the interval, oldest first, the latest last: each change of address is a
            // security event of the audit trail, and activity monitoring alerts when it is one the key never used.
            var addresses = keyAddresses.TryGetValue(id, out var distinct) ? distinct.OrderBy(a => a.Value).Select(a => (Ip: a.Key, At: a.Value)).ToList() : [];
            if (seen.Ip is not null && addresses.LastOrDefault().Ip != seen.Ip) addresses.Add((seen.Ip, seen.At));
            var previous = key.LastUsedIp;
            foreach (var (ip, at) in addresses)
            {
                if (ip == previous) continue;
                (request.UserId, request.ApiKeyId, request.Ip) = (key.CreatedByUserId, id, ip);
                db.Audit("api_key.used_from_new_address", "api_key", id, new { previousAddress = previous, at }, organizationId: key.OrganizationId);
                previous = ip;
            }
            await db.Set<ApiKey>().IgnoreQueryFilters().Where(k => k.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, seen.At).SetProperty(k => k.LastUsedIp, seen.Ip), cancellationToken);
            keys.ForgetIfUnchanged(id, seen.At);
        }
        if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(cancellationToken);
        foreach (var (id, seen) in sessionUses)
        {
            await db.Sessions.Where(s => s.Id == id && (s.LastActivityAt == null || s.LastActivityAt < seen.At))
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastActivityAt, seen.At), cancellationToken);
            // The next idle check reads the flushed value from the database instead of this node's memory.
            if (sessions.ForgetIfUnchanged(id, seen.At)) sessionCache.ForgetOnThisNode(id);
        }
    }
}
