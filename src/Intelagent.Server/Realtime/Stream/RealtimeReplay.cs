using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>How long events are kept for replay and how many one resume may return.</summary>
public sealed record RealtimeSettings(TimeSpan ReplayWindow, int MaxReplayEvents)
{
    public static RealtimeSettings From(IConfiguration configuration) => new(
        TimeSpan.FromMinutes(Math.Max(10, configuration.GetValue("Realtime:ReplayWindowMinutes", 15))),
        Math.Max(1000, configuration.GetValue("Realtime:MaxReplayEvents", 1000)));
}

/// <summary>
/// What a client missed. <c>Complete</c> is false when the client's last id is older than the
/// window, not an event id, or when more events were missed than one resume returns: the client
/// should then reload its state over the REST API.
/// </summary>
public sealed record ReplayResult(IReadOnlyList<RealtimeEvent> Events, bool Complete);

public sealed class RealtimeReplay(AppDb db, RealtimeSettings settings)
{
    private const int Batch = 500;

    public async Task<ReplayResult> MissedAsync(RealtimeAccess access, string? lastEventId, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(lastEventId)) return new ReplayResult([], true);
        if (!Id.HasPrefix(lastEventId, IdPrefix.RealtimeEvent) || !Ulid.TryParse(lastEventId[(IdPrefix.RealtimeEvent.Length + 1)..], out var ulid))
            return new ReplayResult([], false);
        var complete = ulid.Time >= db.Clock.GetUtcNow() - settings.ReplayWindow;

        var organizations = access.Roles.Keys.ToList();
        var found = new List<RealtimeEvent>();
        var after = lastEventId;
        while (true)
        {
            var batch = await CandidatesAcrossTenants(organizations, access.IsOperator, after).Take(Batch).ToListAsync(cancellationToken);
            foreach (var e in batch.Where(access.Allows))
            {
                if (found.Count == settings.MaxReplayEvents) return new ReplayResult(found, false);
                found.Add(e);
            }
            if (batch.Count < Batch) return new ReplayResult(found, complete);
            after = batch[^1].Id;
        }
    }

    private IQueryable<RealtimeEvent> CandidatesAcrossTenants(List<string> organizations, bool isOperator, string after) =>
        db.Set<RealtimeEvent>().IgnoreQueryFilters().AsNoTracking()
            .Where(e => string.Compare(e.Id, after) > 0)
            .Where(e => organizations.Contains(e.OrganizationId) || (isOperator && e.Audience == RealtimeAudience.Operators))
            .OrderBy(e => e.Id);

    /// <summary>Deletes events older than the replay window (the purge job).</summary>
    public Task<int> PurgeAcrossTenantsAsync(CancellationToken cancellationToken)
    {
        var cutoff = db.Clock.GetUtcNow() - settings.ReplayWindow;
        return db.Set<RealtimeEvent>().IgnoreQueryFilters().Where(e => e.CreatedAt < cutoff).ExecuteDeleteAsync(cancellationToken);
    }
}
