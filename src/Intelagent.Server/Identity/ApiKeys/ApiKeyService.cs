using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;
using P = Intelagent.Server.Platform.Authorization.Permissions;

namespace Intelagent.Server.Identity.ApiKeys;

/// <summary>Creating, listing, revoking and rotating an organization's API keys.</summary>
public sealed class ApiKeyService(AppDb db, ApiKeyCache cache)
{
    /// <summary>The spec's rotation advice: a key older than this is flagged.</summary>
    public const int RotationAdviceDays = 90;
    public const int MaxGracePeriodHours = 720;
    public const int DefaultGracePeriodHours = 24;

    /// <summary>
    /// Never given to a key: managing keys (a key could otherwise mint keys that outlive its own
    /// revocation) and reading notifications (a person's inbox).
    /// </summary>
    public static readonly IReadOnlySet<string> NeverGrantable = new HashSet<string> { P.ApiKeysManage, P.NotificationsRead };

    public Task<Page<ApiKeyResponse>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        return db.Set<ApiKey>().AsNoTracking().OrderByDescending(k => k.Id)
            .ToPageAsync(page, (q, after) => q.Where(k => string.Compare(k.Id, after) < 0), k => k.Id, k => Describe(k, now), cancellationToken);
    }

    public async Task<Result<CreatedApiKeyResponse>> CreateAsync(CreateApiKeyRequest request, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var validation = new Validation().RequiredText("name", request.Name, 100)
            .When(request.Permissions is not { Count: > 0 }, "permissions", "must name at least one permission.")
            .When(request.ExpiresAt <= now, "expiresAt", "must be in the future.")
            .When(request.ExpiresAt > now.AddYears(3), "expiresAt", "must be within three years.");
        foreach (var permission in request.Permissions ?? [])
        {
            if (!P.Tenant.Contains(permission)) validation.Add("permissions", $"'{permission}' is not an organization permission.");
            else if (NeverGrantable.Contains(permission)) validation.Add("permissions", $"'{permission}' cannot be given to an API key.");
        }
        if (validation.Failed) return validation.ToError();
        if (db.Request.Role is not { } role) return Error.Forbidden("forbidden", "Only members create API keys.");
        var notHeld = request.Permissions!.Where(p => !RolePermissions.Grants(role, p)).ToList();
        if (notHeld.Count > 0)
            return Error.Forbidden("permission_not_held", $"A key cannot have permissions its creator does not hold: {string.Join(", ", notHeld)}.");

        var (key, secret) = NewKey(request.Name!.Trim(), request.Permissions!.Distinct().Order(), request.ExpiresAt);
        await db.SaveChangesAsync(cancellationToken);
        return Created(key, secret, null);
    }

    public async Task<Result<bool>> RevokeAsync(string id, CancellationToken cancellationToken)
    {
        var key = await db.Set<ApiKey>().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null) return Error.NotFound("API key");
        if (key.RevokedAt is not null) return true;
        key.RevokedAt = db.Clock.GetUtcNow();
        db.Audit("api_key.revoked", "api_key", key.Id);
        await db.SaveChangesAsync(cancellationToken);
        cache.Forget(key.SecretHash);
        return true;
    }

    /// <summary>A new secret with the same name, permissions and expiry; the old one works until the grace period ends.</summary>
    public async Task<Result<CreatedApiKeyResponse>> RotateAsync(string id, RotateApiKeyRequest? request, CancellationToken cancellationToken)
    {
        var hours = request?.GracePeriodHours ?? DefaultGracePeriodHours;
        if (hours is < 0 or > MaxGracePeriodHours) return Error.Validation("gracePeriodHours", $"must be between 0 and {MaxGracePeriodHours}.");
        var old = await db.Set<ApiKey>().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (old is null) return Error.NotFound("API key");
        var now = db.Clock.GetUtcNow();
        if (old.RevokedAt is not null || old.ExpiresAt <= now || old.ReplacedByKeyId is not null)
            return Error.Conflict("api_key_not_active", "Only an active key that has not been rotated already can be rotated.");
        if (db.Request.Role is not { } role) return Error.Forbidden("forbidden", "Only members rotate API keys.");
        var notHeld = old.PermissionList.Where(p => !RolePermissions.Grants(role, p)).ToList();
        if (notHeld.Count > 0)
            return Error.Forbidden("permission_not_held", $"You do not hold every permission of this key: {string.Join(", ", notHeld)}.");

        var (key, secret) = NewKey(old.Name, old.PermissionList, old.ExpiresAt);
        var graceEnds = now.AddHours(hours);
        old.ExpiresAt = old.ExpiresAt is { } expires && expires < graceEnds ? expires : graceEnds;
        old.ReplacedByKeyId = key.Id;
        db.Audit("api_key.rotated", "api_key", old.Id, new { replacedBy = key.Id, oldKeyWorksUntil = old.ExpiresAt });
        await db.SaveChangesAsync(cancellationToken);
        cache.Forget(old.SecretHash);
        return Created(key, secret, old);
    }

    private (ApiKey Key, string Secret) NewKey(string name, IEnumerable<string> permissions, DateTimeOffset? expiresAt)
    {
        var secret = ApiKey.NewSecret();
        var key = new ApiKey
        {
            Id = Id.New(IdPrefix.ApiKey, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            Name = name,
            Prefix = secret[..ApiKey.PrefixLength],
            SecretHash = ApiKey.Hash(secret),
            Permissions = string.Join(' ', permissions),
            CreatedByUserId = db.Request.UserId!,
            CreatedAt = db.Clock.GetUtcNow(),
            ExpiresAt = expiresAt,
        };
        db.Set<ApiKey>().Add(key);
        return (key, secret);
    }

    private static CreatedApiKeyResponse Created(ApiKey key, string secret, ApiKey? replaced) =>
        new(key.Id, key.Name, key.Prefix, key.PermissionList, key.CreatedAt, key.ExpiresAt, secret, replaced?.Id, replaced?.ExpiresAt);

    public static ApiKeyResponse Describe(ApiKey key, DateTimeOffset now)
    {
        var status = key.RevokedAt is not null ? ApiKeyStatus.Revoked
            : key.ExpiresAt <= now ? ApiKeyStatus.Expired
            : key.ReplacedByKeyId is not null ? ApiKeyStatus.Rotating : ApiKeyStatus.Active;
        var age = (int)(now - key.CreatedAt).TotalDays;
        return new ApiKeyResponse(key.Id, key.Name, key.Prefix, key.PermissionList, status, key.CreatedByUserId, key.CreatedAt,
            key.ExpiresAt, key.RevokedAt, key.LastUsedAt, key.LastUsedIp, key.ReplacedByKeyId, age,
            status == ApiKeyStatus.Active && age >= RotationAdviceDays);
    }
}
