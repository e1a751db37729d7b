using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Realtime;

/// <summary>A notification type one user muted in one organization: such notifications are neither stored nor pushed.</summary>
[NotAudited]
public sealed class NotificationMute : ITenantOwned
{
    public required string OrganizationId { get; init; }
    public required string UserId { get; init; }
    public required string Type { get; init; }
}

internal sealed class NotificationMuteConfiguration : IEntityTypeConfiguration<NotificationMute>
{
    public void Configure(EntityTypeBuilder<NotificationMute> builder)
    {
        builder.ToTable("NotificationMutes");
        builder.HasKey(e => new { e.OrganizationId, e.UserId, e.Type });
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.Type).HasMaxLength(60);
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}

public sealed record NotificationPreferencesResponse(IReadOnlyList<string> MutedTypes, IReadOnlyList<string> KnownTypes);
public sealed record UpdateNotificationPreferencesRequest(IReadOnlyList<string>? MutedTypes);

/// <summary>The caller's preferences in the organization in context (X-Organization-Id), like the other notification routes.</summary>
public static class NotificationPreferenceEndpoints
{
    /// <summary>The types the platform sends today; other modules' types may be muted before they exist.</summary>
    public static readonly IReadOnlyList<string> KnownTypes = ["member.joined", "member.role_changed", "organization.deletion_scheduled"];

    public static IEndpointRouteBuilder MapNotificationPreferenceEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/notifications/preferences").WithTags("Notifications");
        group.MapGet("/", GetAsync).RequirePermission(Permissions.NotificationsRead).WithName("GetNotificationPreferences")
            .Produces<NotificationPreferencesResponse>().WithProblems(400, 404);
        group.MapPut("/", PutAsync).RequirePermission(Permissions.NotificationsRead).WithName("UpdateNotificationPreferences")
            .WithSummary("Replaces the muted notification types").Produces<NotificationPreferencesResponse>().WithProblems(400, 404);
        return app;
    }

    private static async Task<IResult> GetAsync(AppDb db, RequestContext caller, CancellationToken cancellationToken) =>
        TypedResults.Ok(new NotificationPreferencesResponse(await MutedAsync(db, caller, cancellationToken), KnownTypes));

    private static async Task<IResult> PutAsync(UpdateNotificationPreferencesRequest request, AppDb db, RequestContext caller, CancellationToken cancellationToken)
    {
        var types = request.MutedTypes ?? [];
        var validation = new Validation();
        validation.When(request.MutedTypes is null, "mutedTypes", "is required (an empty list unmutes everything).")
            .When(types.Count > 100, "mutedTypes", "may hold at most 100 types.")
            .When(!types.All(IsTypeName), "mutedTypes", "holds names of 1 to 60 characters: lower-case letters, digits, '.', '_', ':' or '-'.");
        if (validation.Failed) return validation.ToError().ToResult();

        var mutes = db.Set<NotificationMute>();
        mutes.RemoveRange(await mutes.Where(m => m.UserId == caller.UserId).ToListAsync(cancellationToken));
        foreach (var type in types.Distinct(StringComparer.Ordinal))
            mutes.Add(new NotificationMute { OrganizationId = caller.OrganizationId!, UserId = caller.UserId!, Type = type });
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new NotificationPreferencesResponse(await MutedAsync(db, caller, cancellationToken), KnownTypes));
    }

    private static Task<List<string>> MutedAsync(AppDb db, RequestContext caller, CancellationToken cancellationToken) =>
        db.Set<NotificationMute>().AsNoTracking().Where(m => m.UserId == caller.UserId).OrderBy(m => m.Type).Select(m => m.Type).ToListAsync(cancellationToken);

    private static bool IsTypeName(string? type) =>
        type is { Length: > 0 and <= 60 } && type.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or ':' or '-');
}
