using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Audit;

public sealed record AuditPurgeResult(int PurgedEntries, long? CheckpointSequence);

/// <summary>
/// Removes the oldest part of a chain under a retention policy (the policy API and its job come
/// later). Only a prefix of sealed entries can go, and a signed checkpoint naming the last removed
/// link is written in the same transaction, so the rest of the chain still verifies.
/// </summary>
public sealed class AuditRetention(AppDb db, AuditChainKey key)
{
    public async Task<AuditPurgeResult> PurgeBeforeAsync(string? organizationId, DateTimeOffset before, CancellationToken cancellationToken)
    {
        // Whole milliseconds survive both providers' storage exactly, so the signature checks after a read.
        before = new DateTimeOffset(before.UtcTicks - before.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);
        var chain = AuditChain.ChainOf(organizationId);
        var entries = db.AuditEntries.Where(e => e.OrganizationId == organizationId && e.Sequence != null);
        var previous = await db.Set<AuditCheckpoint>().Where(c => c.Chain == chain).MaxAsync(c => (long?)c.Sequence, cancellationToken) ?? 0;
        // The chain is ordered by sealing, not by time: stop before the first link that must stay.
        var firstKept = await entries.Where(e => e.At >= before).MinAsync(e => e.Sequence, cancellationToken);
        var cut = firstKept is { } kept ? kept - 1 : await entries.MaxAsync(e => e.Sequence, cancellationToken) ?? 0;
        if (cut <= previous) return new AuditPurgeResult(0, null);

        var last = await entries.AsNoTracking().SingleAsync(e => e.Sequence == cut, cancellationToken);
        var doomed = entries.Where(e => e.Sequence > previous && e.Sequence <= cut);
        var count = await doomed.CountAsync(cancellationToken);
        var checkpoint = new AuditCheckpoint
        {
            Id = Id.New(IdPrefix.AuditCheckpoint, db.Clock),
            Chain = chain,
            Sequence = cut,
            Hash = last.Hash!,
            PurgedEntries = count,
            PurgedBefore = before,
            CreatedAt = db.Clock.GetUtcNow(),
            KeyId = key.KeyId,
            Signature = key.Sign(AuditCheckpoint.Canonical(chain, cut, last.Hash!, count, before)),
        };
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Set<AuditCheckpoint>().Add(checkpoint);
            db.Audit("audit.purged", "audit_checkpoint", checkpoint.Id, new { purgedEntries = count, throughSequence = cut, before }, organizationId: organizationId);
            await db.SaveChangesAsync(cancellationToken);
            await doomed.ExecuteDeleteAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return new AuditPurgeResult(count, cut);
        });
    }
}
