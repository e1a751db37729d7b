namespace Intelagent.Server.Identity.ApiKeys;

public sealed record CreateApiKeyRequest(string? Name, IReadOnlyList<string>? Permissions, DateTimeOffset? ExpiresAt);
public sealed record RotateApiKeyRequest(int? GracePeriodHours);

/// <summary>A key as listed: never its secret. <c>rotationRecommended</c> is set once a key passes 90 days.</summary>
public sealed record ApiKeyResponse(
    string Id, string Name, string Prefix, IReadOnlyList<string> Permissions, string Status,
    string CreatedByUserId, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt, string? LastUsedIp, string? ReplacedByKeyId, int AgeDays, bool RotationRecommended);

/// <summary>The answer to create and rotate: the only time the secret is shown.</summary>
public sealed record CreatedApiKeyResponse(
    string Id, string Name, string Prefix, IReadOnlyList<string> Permissions, DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt, string Secret, string? ReplacesKeyId = null, DateTimeOffset? ReplacedKeyWorksUntil = null);

public static class ApiKeyStatus
{
    public const string Active = "active";
    public const string Rotating = "rotating";
    public const string Expired = "expired";
    public const string Revoked = "revoked";
}
