using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Alerts;

/// <summary>What activity monitoring noticed in an organization (a burst of failed sign-ins, a new address, a mass export).</summary>
public sealed class SecurityAlert : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string Kind { get; init; }
    public required string Severity { get; init; }
    public required string Title { get; init; }
    public string? Detail { get; init; }
    public string? SubjectUserId { get; init; }
    /// <summary>The audit entry that tipped the detector, so the alert can be traced in the trail.</summary>
    public string? AuditEntryId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    /// <summary>When someone looked at it and said so; null while the alert is open. Set once: a second acknowledgement is refused.</summary>
    public DateTimeOffset? AcknowledgedAt { get; set; }
    public string? AcknowledgedByUserId { get; set; }
    public string? AcknowledgementNote { get; set; }

    public SecurityAlertStatus Status => AcknowledgedAt is null ? SecurityAlertStatus.Open : SecurityAlertStatus.Acknowledged;
}

public enum SecurityAlertStatus
{
    Open,
    Acknowledged,
}

public static class SecurityAlertKinds
{
    public const string FailedSignInBurst = "failed_sign_in_burst";
    public const string NewSignInAddress = "new_sign_in_address";
    public const string MassExport = "mass_export";
    public const string OffHoursAdminAction = "off_hours_admin_action";
    public const string ApiKeyNewAddress = "api_key_new_address";
}

public sealed record SecurityAlertRaised(string OrganizationId, string AlertId, string Kind, string Severity, string Title) : IDomainEvent;
public sealed record SecurityAlertAcknowledged(string OrganizationId, string AlertId, string? AcknowledgedByUserId) : IDomainEvent;

internal sealed class SecurityAlertConfiguration : IEntityTypeConfiguration<SecurityAlert>
{
    public void Configure(EntityTypeBuilder<SecurityAlert> builder)
    {
        builder.ToTable("SecurityAlerts");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Kind).HasMaxLength(40);
        builder.Property(e => e.Severity).HasMaxLength(16);
        builder.Property(e => e.Title).HasMaxLength(200);
        builder.Property(e => e.Detail).HasMaxLength(1000);
        builder.Property(e => e.SubjectUserId).HasMaxLength(40);
        builder.Property(e => e.AuditEntryId).HasMaxLength(40);
        builder.Property(e => e.AcknowledgedByUserId).HasMaxLength(40);
        builder.Property(e => e.AcknowledgementNote).HasMaxLength(SecurityAlertService.MaxNoteLength);
        // Two people acknowledging at once: the later update finds the row no longer open and fails, so only one wins.
        builder.Property(e => e.AcknowledgedAt).IsConcurrencyToken();
        builder.Ignore(e => e.Status);
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.HasIndex(e => new { e.OrganizationId, e.Kind, e.SubjectUserId, e.CreatedAt });
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
