using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Retention;

/// <summary>
/// How long an organization keeps one category of data (<see cref="RetentionCategories"/>). No row
/// means the category is kept indefinitely. Changes go through the audit hook (before and after).
/// </summary>
public sealed class RetentionPolicy : ITenantOwned
{
    public required string OrganizationId { get; init; }
    public required string Category { get; init; }
    public int Days { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Raised when an organization's retention policies change (the security score keeps a snapshot).</summary>
public sealed record RetentionPoliciesChanged(string OrganizationId) : IDomainEvent
{
    string? IDomainEvent.OrganizationId => OrganizationId;
}

public sealed record RetentionPolicyResponse(string Category, string Name, string Description, int? Days, int MinimumDays, bool LegalMinimum);

public sealed record RetentionResponse(IReadOnlyList<RetentionPolicyResponse> Policies);

public sealed record RetentionPolicyRequest(string? Category, int? Days);

/// <summary>PUT body: each listed category gets its days (null: keep indefinitely); unlisted categories keep theirs.</summary>
public sealed record UpdateRetentionRequest(IReadOnlyList<RetentionPolicyRequest>? Policies);

public sealed record RetentionPreviewItem(string Category, int? Days, DateTimeOffset? Cutoff, long WouldDelete);

public sealed record RetentionPreviewResponse(DateTimeOffset At, IReadOnlyList<RetentionPreviewItem> Categories, long Total);

internal sealed class RetentionPolicyConfiguration : IEntityTypeConfiguration<RetentionPolicy>
{
    public void Configure(EntityTypeBuilder<RetentionPolicy> builder)
    {
        builder.ToTable("RetentionPolicies");
        builder.HasKey(e => new { e.OrganizationId, e.Category });
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Category).HasMaxLength(40);
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
