using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Audit;

/// <summary>The answer of <c>GET /api/security/audit-logs/verify</c>.</summary>
public sealed record AuditVerification(
    bool Verified, int EntriesChecked, string? FirstBrokenEntryId, string? Reason,
    long? CheckpointSequence, long LastSequence, int PendingEntries, int RedactedEntries);

/// <summary>
/// Walks one chain from its latest checkpoint (or its start) in sequence order and recomputes every
/// link: an edited entry fails its own HMAC or a digest, a deleted one leaves a gap in the
/// sequence, a reordered one no longer names its predecessor's hash, and a removed tail shows
/// against the chain head.
/// </summary>
public sealed class AuditChainVerifier(AppDb db, AuditChainKey key)
{
    private const int BatchSize = 1000;

    public async Task<AuditVerification> VerifyAsync(string? organizationId, CancellationToken cancellationToken)
    {
        var chain = AuditChain.ChainOf(organizationId);
        var pending = await db.AuditEntries.CountAsync(e => e.OrganizationId == organizationId && e.Sequence == null, cancellationToken);
        var checkpoint = await db.Set<AuditCheckpoint>().AsNoTracking().Where(c => c.Chain == chain)
            .OrderByDescending(c => c.Sequence).FirstOrDefaultAsync(cancellationToken);
        var head = await db.Set<AuditChainHead>().AsNoTracking().FirstOrDefaultAsync(h => h.Chain == chain, cancellationToken);
        var lastSequence = head?.LastSequence ?? 0;
        AuditVerification Broken(int checkedCount, string? entryId, string reason, int redacted) =>
            new(false, checkedCount, entryId, reason, checkpoint?.Sequence, lastSequence, pending, redacted);

        if (checkpoint is not null && (checkpoint.KeyId != key.KeyId ||
            key.Sign(AuditCheckpoint.Canonical(chain, checkpoint.Sequence, checkpoint.Hash, checkpoint.PurgedEntries, checkpoint.PurgedBefore)) != checkpoint.Signature))
            return Broken(0, null, $"the retention checkpoint at sequence {checkpoint.Sequence} is not one this platform signed", 0);

        var expected = (checkpoint?.Sequence ?? 0) + 1;
        var previousHash = checkpoint?.Hash;
        var checkedEntries = 0;
        var redacted = 0;
        while (true)
        {
            var from = expected;
            var batch = await db.AuditEntries.AsNoTracking()
                .Where(e => e.OrganizationId == organizationId && e.Sequence >= from)
                .OrderBy(e => e.Sequence).Take(BatchSize).ToListAsync(cancellationToken);
            foreach (var entry in batch)
            {
                if (entry.Sequence != expected)
                    return Broken(checkedEntries, entry.Id, $"entries are missing before this one: expected sequence {expected}, found {entry.Sequence}", redacted);
                if (entry.PreviousHash != previousHash)
                    return Broken(checkedEntries, entry.Id, "the entry does not follow its predecessor (an entry before it was removed, replaced or reordered)", redacted);
                if (AuditChain.Problem(entry, key) is { } problem) return Broken(checkedEntries, entry.Id, problem, redacted);
                if (IsRedacted(entry)) redacted++;
                checkedEntries++;
                previousHash = entry.Hash;
                expected++;
            }
            if (batch.Count < BatchSize) break;
        }

        if (expected - 1 < lastSequence)
            return Broken(checkedEntries, null, $"entries {expected} to {lastSequence} at the end of the chain are missing", redacted);
        if (head is not null && lastSequence > 0 && head.LastHash != previousHash)
            return Broken(checkedEntries, null, "the last entry is not the one the chain head recorded", redacted);
        return new AuditVerification(true, checkedEntries, null, null, checkpoint?.Sequence, lastSequence, pending, redacted);
    }

    /// <summary>Personal data erased after sealing: allowed, and counted so that it is visible.</summary>
    private static bool IsRedacted(AuditEntry entry) =>
        (entry.Ip is null && entry.IpDigest is not null) || (entry.UserAgent is null && entry.UserAgentDigest is not null) || (entry.Data is null && entry.DataDigest is not null);
}
