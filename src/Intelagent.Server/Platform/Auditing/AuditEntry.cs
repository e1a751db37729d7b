using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Platform.Auditing;

/// <summary>
/// One line of the audit trail. Written in the same transaction as the change it records (see
/// <see cref="AuditWriter"/>), so a change without its entry cannot exist. Platform-level events
/// (a sign-in) have no organization.
/// </summary>
[NotAudited]
public sealed class AuditEntry
{
    public required string Id { get; init; }
    public string? OrganizationId { get; init; }
    public string? ActorUserId { get; init; }
    public string? ActorApiKeyId { get; init; }
    public bool ActorIsOperator { get; init; }
    public required string Action { get; init; }
    public string? TargetType { get; init; }
    public string? TargetId { get; init; }
    public string Outcome { get; init; } = AuditOutcome.Success;
    public string? Ip { get; init; }
    public string? UserAgent { get; init; }
    public DateTimeOffset At { get; init; }
    /// <summary>JSON: before and after of the changed fields, or facts about the event.</summary>
    public string? Data { get; init; }

    // The tamper-evident chain (Security/Audit): set once by the sealer after commit, never by the
    // writer, so sealing does not serialise the writes of an organization. Personal data is covered
    // only through keyed digests, so erasing it later does not break verification.
    public long? Sequence { get; set; }
    public string? PreviousHash { get; set; }
    public string? Hash { get; set; }
    public string? KeyId { get; set; }
    public DateTimeOffset? SealedAt { get; set; }
    public string? IpDigest { get; set; }
    public string? UserAgentDigest { get; set; }
    public string? DataDigest { get; set; }
}

public static class AuditOutcome
{
    public const string Success = "success";
    public const string Failure = "failure";
}
