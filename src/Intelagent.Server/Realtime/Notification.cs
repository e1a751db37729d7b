using Intelagent.Server.Platform.Tenancy;

namespace Intelagent.Server.Realtime;

/// <summary>A message for one user in one organization. Any module writes these through <see cref="Notifier"/>.</summary>
[NotAudited]
public sealed class Notification : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string UserId { get; init; }
    public required string Type { get; init; }
    public required string Title { get; init; }
    public string? Body { get; init; }
    public string? Link { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ReadAt { get; set; }
}
