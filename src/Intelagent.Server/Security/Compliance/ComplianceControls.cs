using Intelagent.Server.Security.Score;

namespace Intelagent.Server.Security.Compliance;

public static class ControlStatus
{
    public const string Met = "met";
    public const string PartlyMet = "partly_met";
    public const string NotMet = "not_met";
}

/// <summary>What the controls judge: the posture facts, the score, and the audit-entry retention in days (null: kept indefinitely).</summary>
public sealed record ComplianceEvidence(PostureFacts Facts, int Score, int? AuditRetentionDays);

public sealed record ComplianceControl(string Id, string Framework, string Title, string Reference, Func<ComplianceEvidence, (string Status, string Reason)> Judge);

/// <summary>
/// The controls of each framework, each judged from the platform's actual state (decision 016). They
/// are evidence for an auditor, not a certification: each says what was found and why it counts.
/// </summary>
public static class ComplianceControls
{
    public static readonly IReadOnlyList<(string Code, string Name)> Frameworks =
        [("gdpr", "GDPR"), ("ccpa", "CCPA"), ("hipaa", "HIPAA Security Rule"), ("soc2", "SOC 2")];

    /// <summary>HIPAA 164.316(b)(2): documentation is kept six years.</summary>
    public const int HipaaRetentionDays = 6 * 365;
    public const int Soc2AuditRetentionDays = 365;

    public static readonly IReadOnlyList<ComplianceControl> All =
    [
        new("gdpr.data_subject_rights", "gdpr", "Requests of access and erasure are answered within a month", "Art. 12(3), 15, 17", e => DataRequests(e, "one month")),
        new("gdpr.storage_limitation", "gdpr", "Personal data is kept no longer than necessary", "Art. 5(1)(e)", Retention),
        new("gdpr.security_of_processing", "gdpr", "Access is protected by strong authentication", "Art. 32(1)(b)", StrongAuthentication),
        new("gdpr.accountability", "gdpr", "Processing is recorded in a tamper-evident trail", "Art. 5(2), 30", AuditTrail),
        new("gdpr.breach_response", "gdpr", "Security incidents are handled", "Art. 33, 34", Incidents),

        new("ccpa.right_to_know", "ccpa", "Consumers can learn what is held about them", "§1798.110", e => DataRequests(e, "45 days")),
        new("ccpa.right_to_delete", "ccpa", "Consumers can have their data deleted", "§1798.105", e => DataRequests(e, "45 days")),
        new("ccpa.reasonable_security", "ccpa", "Reasonable security procedures are maintained", "§1798.150(a)", e => e.Score switch
        {
            >= 70 => (ControlStatus.Met, $"The security score is {e.Score} of 100."),
            >= 50 => (ControlStatus.PartlyMet, $"The security score is {e.Score} of 100; follow its recommendations to reach 70."),
            _ => (ControlStatus.NotMet, $"The security score is {e.Score} of 100."),
        }),

        new("hipaa.access_control", "hipaa", "Access control with automatic logoff", "§164.312(a)(1), (a)(2)(iii)", e => Both(
            e.Facts.Policy.IdleTimeout is not null, "idle sessions end", "idle sessions never end",
            e.Facts.Policy.AllowList.Count > 0 || e.Facts.Policy.RequireTwoFactor, "access is limited by an allow-list or 2FA", "neither an allow-list nor 2FA limits access")),
        new("hipaa.audit_controls", "hipaa", "Activity is recorded and examined", "§164.312(b)", AuditTrail),
        new("hipaa.person_authentication", "hipaa", "People are authenticated before access", "§164.312(d)", e => e.Facts.TwoFactorAdoption switch
        {
            >= ScoreChecks.TwoFactorAdoptionTarget => (ControlStatus.Met, $"{e.Facts.TwoFactorAdoption:P0} of members use two-factor authentication."),
            > 0 => (ControlStatus.PartlyMet, $"Only {e.Facts.TwoFactorAdoption:P0} of members use two-factor authentication."),
            _ => (ControlStatus.NotMet, "No member uses two-factor authentication."),
        }),
        new("hipaa.documentation_retention", "hipaa", "Records are kept six years", "§164.316(b)(2)(i)", e => AuditKept(e, HipaaRetentionDays)),

        new("soc2.cc6_1", "soc2", "Logical access is protected by strong authentication", "CC6.1", StrongAuthentication),
        new("soc2.cc6_2", "soc2", "Access is granted sparingly and removed when no longer needed", "CC6.2, CC6.3", e => Both(
            e.Facts.OwnersAndAdmins <= Math.Max(2, e.Facts.Members / 4), $"{e.Facts.OwnersAndAdmins} owners and admins", $"{e.Facts.OwnersAndAdmins} owners and admins is many",
            e.Facts.StalePendingInvitations == 0, "no stale invitations", $"{e.Facts.StalePendingInvitations} invitations pending for more than 7 days")),
        new("soc2.cc6_6", "soc2", "Credentials for systems (API keys) are rotated and expire", "CC6.6", e => Both(
            e.Facts.KeysOlderThan90Days == 0, "no key older than 90 days", $"{e.Facts.KeysOlderThan90Days} keys older than 90 days",
            e.Facts.KeysWithoutExpiry == 0, "every key expires", $"{e.Facts.KeysWithoutExpiry} keys never expire")),
        new("soc2.cc7_2", "soc2", "The system is monitored for anomalies", "CC7.2", e => Both(
            IsVerifiedRecently(e), "the audit trail verified within 7 days", "the audit trail was not verified within 7 days",
            e.Facts.RecentHighSeverityAlerts == 0, "no high-severity alert in 7 days", $"{e.Facts.RecentHighSeverityAlerts} high-severity alerts in 7 days")),
        new("soc2.cc7_4", "soc2", "Incidents are responded to", "CC7.3, CC7.4", Incidents),
        new("soc2.c1_2", "soc2", "Data is disposed of under a policy, and the audit trail is kept a year", "C1.2", e =>
        {
            var (status, reason) = Retention(e);
            var (kept, keptReason) = AuditKept(e, Soc2AuditRetentionDays);
            return status == ControlStatus.Met && kept == ControlStatus.Met ? (status, $"{reason} {keptReason}")
                : status == ControlStatus.NotMet && kept == ControlStatus.NotMet ? (ControlStatus.NotMet, $"{reason} {keptReason}")
                : (ControlStatus.PartlyMet, $"{reason} {keptReason}");
        }),
    ];

    private static (string, string) DataRequests(ComplianceEvidence e, string deadline) => e.Facts.OverdueDataRequests == 0
        ? (ControlStatus.Met, $"Requests are answered through the data-request registry; none is overdue ({e.Facts.CompletedDataRequests} completed; deadline {deadline}).")
        : (ControlStatus.NotMet, $"{e.Facts.OverdueDataRequests} requests have been open for more than 30 days.");

    private static (string, string) Retention(ComplianceEvidence e) => e.Facts.RetentionCategoriesSet.Count switch
    {
        >= 3 => (ControlStatus.Met, $"Retention policies are set for {string.Join(", ", e.Facts.RetentionCategoriesSet.Order())}."),
        > 0 => (ControlStatus.PartlyMet, $"Retention policies are set only for {string.Join(", ", e.Facts.RetentionCategoriesSet.Order())}."),
        _ => (ControlStatus.NotMet, "No retention policy is set: everything is kept indefinitely."),
    };

    private static (string, string) StrongAuthentication(ComplianceEvidence e) => Both(
        e.Facts.Policy.RequireTwoFactor, "two-factor authentication is required", "two-factor authentication is not required",
        e.Facts.Policy.Password.MinLength >= ScoreChecks.MinimumStrongPasswordLength, $"passwords have at least {e.Facts.Policy.Password.MinLength} characters",
        $"passwords need only {e.Facts.Policy.Password.MinLength} characters");

    private static bool IsVerifiedRecently(ComplianceEvidence e) =>
        e.Facts.LastChainVerification is { Verified: true } v && e.Facts.At - v.VerifiedAt <= SecurityPosture.ChainVerificationWindow;

    private static (string, string) AuditTrail(ComplianceEvidence e) => e.Facts.LastChainVerification switch
    {
        null => (ControlStatus.PartlyMet, "Every change is audited in the same transaction, but the hash chain has not been verified yet."),
        { Verified: false } v => (ControlStatus.NotMet, $"The hash chain failed verification at {v.VerifiedAt:u}: {v.Reason}"),
        var v when IsVerifiedRecently(e) => (ControlStatus.Met, $"Every change is audited in the same transaction; the hash chain verified at {v.VerifiedAt:u} ({v.EntriesChecked} entries)."),
        var v => (ControlStatus.PartlyMet, $"The hash chain last verified at {v.VerifiedAt:u}, more than 7 days ago."),
    };

    private static (string, string) AuditKept(ComplianceEvidence e, int days) => e.AuditRetentionDays switch
    {
        null => (ControlStatus.Met, "Audit entries are kept indefinitely."),
        var d when d >= days => (ControlStatus.Met, $"Audit entries are kept {d} days."),
        var d => (ControlStatus.NotMet, $"Audit entries are kept only {d} days; at least {days} are needed."),
    };

    private static (string, string) Incidents(ComplianceEvidence e) => e.Facts.UnresolvedIncidents == 0
        ? (ControlStatus.Met, "No incident is open; incidents are reported, tracked through a timeline and notified to admins at once.")
        : (ControlStatus.PartlyMet, $"{e.Facts.UnresolvedIncidents} incidents are open or under investigation.");

    private static (string, string) Both(bool first, string firstMet, string firstNot, bool second, string secondMet, string secondNot) => (first, second) switch
    {
        (true, true) => (ControlStatus.Met, $"{Capital(firstMet)}, and {secondMet}."),
        (false, false) => (ControlStatus.NotMet, $"{Capital(firstNot)}, and {secondNot}."),
        _ => (ControlStatus.PartlyMet, $"{Capital(first ? firstMet : firstNot)}, but {(second ? secondMet : secondNot)}."),
    };

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
