using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.DataRequests;

public enum DataRequestType
{
    Export,
    Delete,
}

public enum DataRequestStatus
{
    Pending,
    Completed,
}

/// <summary>
/// A data subject's request (GDPR art. 15 and 17, CCPA): an export of what the platform holds about
/// a person, or its erasure. The subject's email is never stored here, only its keyed digest, so the
/// record of a deletion does not itself keep the person. Not audited by the hook: the service writes
/// explicit entries that name no personal data.
/// </summary>
[NotAudited]
public sealed class DataRequest : ITenantOwned
{
    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public DataRequestType Type { get; init; }
    public DataRequestStatus Status { get; set; }
    /// <summary>HMAC of the normalized email under the audit chain key: matches later requests about the same person.</summary>
    public required string SubjectDigest { get; init; }
    public string? SubjectUserId { get; set; }
    public string? RequestedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>JSON: rows found (export) or erased and anonymised (delete) per module.</summary>
    public string? Summary { get; set; }
    /// <summary>The export bundle (JSON) for download; erased by a later delete request about the same person.</summary>
    [PersonalData] public string? ExportJson { get; set; }
}

internal sealed class DataRequestConfiguration : IEntityTypeConfiguration<DataRequest>
{
    public void Configure(EntityTypeBuilder<DataRequest> builder)
    {
        builder.ToTable("DataRequests");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.SubjectDigest).HasMaxLength(64);
        builder.Property(e => e.SubjectUserId).HasMaxLength(40);
        builder.Property(e => e.RequestedByUserId).HasMaxLength(40);
        builder.Property(e => e.Summary).HasMaxLength(4000);
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.HasIndex(e => e.SubjectDigest);
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
