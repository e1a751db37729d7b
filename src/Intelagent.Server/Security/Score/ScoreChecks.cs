namespace Intelagent.Server.Security.Score;

/// <summary>One thing the score looks at, what it is worth, and what to do when it fails.</summary>
public sealed record ScoreCheck(string Code, string Category, int Points, string Title, string Recommendation, Func<PostureFacts, (bool Passed, string Detail)> Judge);

/// <summary>
/// The checks of the security score and their weights (docs/decisions/016). The points add up to
/// 100; a unit test keeps them so. Weights follow how much each gap has cost real organizations:
/// account takeover first (authentication), then who can reach what, then keys, data and monitoring.
/// </summary>
public static class ScoreChecks
{
    public const int MinimumStrongPasswordLength = 12;
    public const int MaxSessionTimeoutMinutes = 480;
    public const double TwoFactorAdoptionTarget = 0.9;

    public static readonly IReadOnlyList<(string Code, string Name)> Categories =
    [
        ("authentication", "Authentication"),
        ("access_control", "Access control"),
        ("data_protection", "Data protection"),
        ("monitoring", "Monitoring"),
        ("api_security", "API security"),
    ];

    public static readonly IReadOnlyList<ScoreCheck> All =
    [
        new("two_factor_required", "authentication", 12, "Two-factor authentication is required",
            "Require two-factor authentication for every member (PUT /api/security/settings requireTwoFactor)",
            f => (f.Policy.RequireTwoFactor, f.Policy.RequireTwoFactor ? "Required for every member." : "Members may sign in with a password alone.")),
        new("two_factor_adoption", "authentication", 10, "At least 90% of members use two-factor authentication",
            "Ask the members without an authenticator to enrol",
            f => (f.Members > 0 && f.TwoFactorAdoption >= TwoFactorAdoptionTarget, $"{f.MembersWithTwoFactor} of {f.Members} members ({f.TwoFactorAdoption:P0}) have enrolled.")),
        new("password_policy", "authentication", 8, "The password policy is strong",
            $"Require at least {MinimumStrongPasswordLength} characters and two of uppercase letters, numbers and special characters",
            f => (StrongPasswords(f), $"Minimum length {f.Policy.Password.MinLength}; {CharacterClasses(f)} character classes required.")),
        new("session_timeout", "authentication", 5, "Idle sessions end",
            $"Set an idle session timeout of at most {MaxSessionTimeoutMinutes} minutes",
            f => (f.Policy.IdleTimeout is { } idle && idle.TotalMinutes <= MaxSessionTimeoutMinutes,
                f.Policy.IdleTimeout is { } t ? $"Idle sessions end after {t.TotalMinutes:0} minutes." : "Idle sessions stay open until they expire.")),

        new("ip_allow_list", "access_control", 8, "Requests are limited to known networks",
            "Limit access to your offices' and VPN's addresses with an IP allow-list",
            f => (f.Policy.AllowList.Count > 0, f.Policy.AllowList.Count > 0 ? $"{f.Policy.AllowList.Count} networks allowed." : "Every address may reach the organization.")),
        new("few_administrators", "access_control", 7, "Few members hold owner or admin rights",
            "Lower the role of owners and admins who do not need it (at most 2, or a quarter of the members)",
            f => (f.OwnersAndAdmins <= Math.Max(2, f.Members / 4), $"{f.OwnersAndAdmins} of {f.Members} members are owners or admins.")),
        new("no_stale_invitations", "access_control", 5, "No invitation has waited more than 7 days",
            "Revoke invitations that have been pending for more than 7 days",
            f => (f.StalePendingInvitations == 0, $"{f.StalePendingInvitations} invitations pending for more than 7 days.")),

        new("retention_policies", "data_protection", 8, "Retention policies are set",
            "Set retention policies for audit entries, usage, notifications and activity (PUT /api/security/retention)",
            f => (f.RetentionCategoriesSet.Count > 0, f.RetentionCategoriesSet.Count > 0 ? $"Set for {string.Join(", ", f.RetentionCategoriesSet.Order())}." : "Everything is kept forever.")),
        new("data_requests_on_time", "data_protection", 7, "Data requests are answered within 30 days",
            "Complete the data requests that have been open for more than 30 days",
            f => (f.OverdueDataRequests == 0, $"{f.OverdueDataRequests} requests open for more than 30 days; {f.CompletedDataRequests} completed.")),

        new("no_recent_high_alerts", "monitoring", 5, "No high-severity security alert in the last 7 days",
            "Review the recent high-severity alerts (GET /api/security/alerts) and act on them",
            f => (f.RecentHighSeverityAlerts == 0, $"{f.RecentHighSeverityAlerts} high-severity alerts in the last 7 days.")),
        new("no_open_incidents", "monitoring", 5, "No incident is left unresolved",
            "Investigate and resolve the open incidents",
            f => (f.UnresolvedIncidents == 0, $"{f.UnresolvedIncidents} incidents are open or under investigation.")),
        new("audit_chain_verified", "monitoring", 5, "The audit trail verified within the last 7 days",
            "Verify the audit trail's hash chain (the daily check does it; GET /api/security/audit-logs/verify shows the result)",
            f => f.LastChainVerification is not { } v ? (false, "The audit trail has not been verified yet.")
                : (v.Verified && f.At - v.VerifiedAt <= SecurityPosture.ChainVerificationWindow,
                    v.Verified ? $"Verified at {v.VerifiedAt:u}." : $"Verification failed at {v.VerifiedAt:u}: {v.Reason}")),

        new("keys_rotated", "api_security", 5, "No API key is older than 90 days",
            "Rotate the API keys older than 90 days",
            f => (f.KeysOlderThan90Days == 0, $"{f.KeysOlderThan90Days} of {f.ActiveKeys} active keys are older than 90 days.")),
        new("keys_expire", "api_security", 5, "Every API key has an expiry",
            "Give every API key an expiry date (rotate the keys without one)",
            f => (f.KeysWithoutExpiry == 0, $"{f.KeysWithoutExpiry} of {f.ActiveKeys} active keys never expire.")),
        new("keys_narrowly_scoped", "api_security", 5, "API keys hold no admin permissions",
            "Replace keys that hold admin permissions (settings, members, billing, audit) with narrower ones",
            f => (f.OverBroadKeys == 0, $"{f.OverBroadKeys} of {f.ActiveKeys} active keys hold admin permissions.")),
    ];

    private static int CharacterClasses(PostureFacts f) =>
        (f.Policy.Password.RequireUppercase ? 1 : 0) + (f.Policy.Password.RequireNumbers ? 1 : 0) + (f.Policy.Password.RequireSpecialChars ? 1 : 0);

    private static bool StrongPasswords(PostureFacts f) => f.Policy.Password.MinLength >= MinimumStrongPasswordLength && CharacterClasses(f) >= 2;
}
