using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Documents;

/// <summary>
/// A collaborative text document of a project: its current text and the revision it is at. Every edit
/// is an operation in <see cref="DocumentOperation"/>; creation, renaming, restoring and deletion are
/// audited explicitly (an audit entry per keystroke would drown the trail).
/// </summary>
[NotAudited]
public sealed class Document : ITenantOwned
{
    public const int MaxLength = 1_000_000;

    public required string Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string ProjectId { get; init; }
    public required string Title { get; set; }
    public string Content { get; set; } = "";
    /// <summary>How many operations have been applied; the concurrency token that orders them across nodes.</summary>
    public int Revision { get; set; }
    public required string CreatedByUserId { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>One applied edit: the operation that took the document from revision - 1 to revision, as the server applied it.</summary>
[NotAudited]
public sealed class DocumentOperation : ITenantOwned
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    public required string DocumentId { get; init; }
    public int Revision { get; init; }
    /// <summary>The wire form (a JSON array), see <see cref="TextOperation"/>.</summary>
    public required string Operation { get; init; }
    public string? UserId { get; init; }
    public string? ClientId { get; init; }
    /// <summary>Set on an operation that restored an earlier revision.</summary>
    public int? RestoredRevision { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class DocumentConfiguration : IEntityTypeConfiguration<Document>
{
    public void Configure(EntityTypeBuilder<Document> builder)
    {
        builder.ToTable("Documents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.ProjectId).HasMaxLength(40);
        builder.Property(e => e.CreatedByUserId).HasMaxLength(40);
        builder.Property(e => e.Title).HasMaxLength(200);
        builder.Property(e => e.Revision).IsConcurrencyToken();
        builder.HasIndex(e => new { e.ProjectId, e.Id });
    }
}

internal sealed class DocumentOperationConfiguration : IEntityTypeConfiguration<DocumentOperation>
{
    public void Configure(EntityTypeBuilder<DocumentOperation> builder)
    {
        builder.ToTable("DocumentOperations");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.DocumentId).HasMaxLength(40);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.ClientId).HasMaxLength(64);
        builder.HasIndex(e => new { e.DocumentId, e.Revision }).IsUnique();
        builder.HasOne<Document>().WithMany().HasForeignKey(e => e.DocumentId).OnDelete(DeleteBehavior.Cascade);
    }
}
