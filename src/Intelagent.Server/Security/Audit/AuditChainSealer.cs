using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Security.Alerts;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Intelagent.Server.Security.Audit;

/// <summary>Wakes the sealer right after a commit that wrote audit entries, so sealing does not wait for a poll.</summary>
public sealed class AuditSealSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}

/// <summary>Notices commits that wrote unsealed audit entries (registered with every AppDb as an EF Core interceptor).</summary>
internal sealed class AuditCommitInterceptor(AuditSealSignal signal) : SaveChangesInterceptor
{
    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context?.ChangeTracker.Entries<AuditEntry>().Any(e => e.Entity.Sequence == null) == true) signal.Notify();
        return ValueTask.FromResult(result);
    }
}

/// <summary>
/// Links committed audit entries into their organization's chain, in order, after commit (decision
/// 004). Writers never wait for the chain; a sealer extends one chain per transaction that first
/// moves the chain head with a conditional update, so concurrent sealers on several nodes cannot
/// fork a chain: the second one's update matches nothing and it rolls back.
/// </summary>
public sealed class AuditChainSealer(
    IServiceScopeFactory scopes, AuditSealSignal signal, AuditChainKey key, TimeProvider clock, IHostEnvironment environment, ILogger<AuditChainSealer> logger)
    : BackgroundService
{
    private const int BatchSize = 500;
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!key.Configured && environment.IsProduction())
            logger.LogWarning("{Setting} is not set: the audit chain uses the key in the data folder. Nodes that share a database must share one key, or their entries will not verify", AuditChainKey.Setting);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SealPendingAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Audit chain sealing failed; retrying after the next signal or poll");
            }
            try { await signal.WaitAsync(Poll, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Seals everything committed so far that this node can claim; returns how many entries it sealed.</summary>
    public async Task<int> SealPendingAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            var total = 0;
            while (true)
            {
                List<string?> chains;
                await using (var scope = scopes.CreateAsyncScope())
                {
                    chains = await scope.ServiceProvider.GetRequiredService<AppDb>().AuditEntries
                        .Where(e => e.Sequence == null).Select(e => e.OrganizationId).Distinct().OrderBy(o => o).Take(100).ToListAsync(cancellationToken);
                }
                var sealedNow = 0;
                foreach (var organizationId in chains) sealedNow += await SealChainAsync(organizationId, cancellationToken);
                total += sealedNow;
                // Nothing left, or what is left belongs to a sealer on another node right now.
                if (sealedNow == 0) return total;
            }
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    private async Task<int> SealChainAsync(string? organizationId, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var chain = AuditChain.ChainOf(organizationId);
        var head = await HeadAsync(db, chain, cancellationToken);
        var pending = await db.AuditEntries.Where(e => e.OrganizationId == organizationId && e.Sequence == null)
            .OrderBy(e => e.At).ThenBy(e => e.Id).Take(BatchSize).ToListAsync(cancellationToken);
        if (pending.Count == 0) return 0;

        var now = clock.GetUtcNow();
        var sequence = head.LastSequence;
        var previous = head.LastHash;
        foreach (var entry in pending)
        {
            AuditChain.Seal(entry, ++sequence, previous, key, now);
            previous = entry.Hash;
        }
        var strategy = db.Database.CreateExecutionStrategy();
        var count = await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Moving the head first takes its row lock, so a concurrent sealer of this chain waits
            // here and then finds LastSequence changed.
            var moved = await db.Set<AuditChainHead>().Where(h => h.Chain == chain && h.LastSequence == head.LastSequence)
                .ExecuteUpdateAsync(s => s.SetProperty(h => h.LastSequence, sequence).SetProperty(h => h.LastHash, previous).SetProperty(h => h.UpdatedAt, now), cancellationToken);
            if (moved == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                return 0;
            }
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return pending.Count;
        });
        if (count > 0) await MonitorAsync(pending, cancellationToken);
        return count;
    }

    /// <summary>Each entry is sealed once, by one node, so activity monitoring sees each once too.</summary>
    private async Task MonitorAsync(IReadOnlyList<AuditEntry> sealedEntries, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<ActivityMonitor>().InspectAsync(sealedEntries, cancellationToken);
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(exception, "Activity monitoring failed for {Count} audit entries", sealedEntries.Count);
        }
    }

    private static async Task<AuditChainHead> HeadAsync(AppDb db, string chain, CancellationToken cancellationToken)
    {
        var head = await db.Set<AuditChainHead>().AsNoTracking().FirstOrDefaultAsync(h => h.Chain == chain, cancellationToken);
        if (head is not null) return head;
        db.Set<AuditChainHead>().Add(head = new AuditChainHead { Chain = chain, UpdatedAt = db.Clock.GetUtcNow() });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (UniqueViolation.Is(exception))
        {
            // Another node started this chain at the same moment: use theirs.
            db.ChangeTracker.Clear();
            return await db.Set<AuditChainHead>().AsNoTracking().SingleAsync(h => h.Chain == chain, cancellationToken);
        }
        db.Entry(head).State = EntityState.Detached;
        return head;
    }
}
