using System.Globalization;
using System.Text;
using Intelagent.Server.Platform.Auditing;

namespace Intelagent.Server.Security.Audit;

/// <summary>
/// How one entry is linked into its organization's chain: the canonical form that is signed, and
/// the checks verification makes. Pure functions, shared by the sealer, the verifier and the purge.
/// </summary>
public static class AuditChain
{
    /// <summary>The chain of platform events (no organization).</summary>
    public const string PlatformChain = "platform";

    public static string ChainOf(string? organizationId) => organizationId ?? PlatformChain;

    /// <summary>Fills the digests and the link of an unsealed entry.</summary>
    public static void Seal(AuditEntry entry, long sequence, string? previousHash, AuditChainKey key, DateTimeOffset now)
    {
        entry.Sequence = sequence;
        entry.PreviousHash = previousHash;
        entry.IpDigest = key.Digest("ip", entry.Ip);
        entry.UserAgentDigest = key.Digest("user_agent", entry.UserAgent);
        entry.DataDigest = key.Digest("data", entry.Data);
        entry.KeyId = key.KeyId;
        entry.SealedAt = now;
        entry.Hash = key.Sign(Canonical(entry));
    }

    /// <summary>
    /// Every covered field, length-prefixed so no two different entries share a form. Times are
    /// whole microseconds (what PostgreSQL stores); personal data appears only as its keyed digest.
    /// </summary>
    public static string Canonical(AuditEntry entry)
    {
        var builder = new StringBuilder("audit-chain-v1");
        foreach (var field in new[]
        {
            ChainOf(entry.OrganizationId),
            entry.Sequence?.ToString(CultureInfo.InvariantCulture),
            entry.Id,
            (entry.At.UtcTicks / 10).ToString(CultureInfo.InvariantCulture),
            entry.ActorUserId,
            entry.ActorApiKeyId,
            entry.ActorIsOperator ? "1" : "0",
            entry.Action,
            entry.TargetType,
            entry.TargetId,
            entry.Outcome,
            entry.IpDigest,
            entry.UserAgentDigest,
            entry.DataDigest,
            entry.PreviousHash,
        })
        {
            builder.Append('|');
            if (field is null) builder.Append('-');
            else builder.Append(field.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(field);
        }
        return builder.ToString();
    }

    /// <summary>Why a sealed entry does not verify on its own, or null when it does.</summary>
    public static string? Problem(AuditEntry entry, AuditChainKey key)
    {
        if (entry.KeyId != key.KeyId) return $"sealed with another key ({entry.KeyId}); configure the key it was sealed with";
        if (!FixedEquals(key.Sign(Canonical(entry)), entry.Hash)) return "the entry was altered after it was sealed";
        // A field that is still present must match its digest; an erased one (null) is allowed.
        if (entry.Ip is not null && !FixedEquals(key.Digest("ip", entry.Ip), entry.IpDigest)) return "the entry's address was altered after it was sealed";
        if (entry.UserAgent is not null && !FixedEquals(key.Digest("user_agent", entry.UserAgent), entry.UserAgentDigest)) return "the entry's user agent was altered after it was sealed";
        if (entry.Data is not null && !FixedEquals(key.Digest("data", entry.Data), entry.DataDigest)) return "the entry's data was altered after it was sealed";
        return null;
    }

    private static bool FixedEquals(string? a, string? b) =>
        a is not null && b is not null && System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}
