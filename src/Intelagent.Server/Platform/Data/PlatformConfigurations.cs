using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Events;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Platform.Data;

internal sealed class AuditEntryConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Action).HasMaxLength(100);
        builder.Property(e => e.TargetType).HasMaxLength(60);
        builder.Property(e => e.TargetId).HasMaxLength(64);
        builder.Property(e => e.Outcome).HasMaxLength(16);
        builder.Property(e => e.Ip).HasMaxLength(64);
        builder.Property(e => e.UserAgent).HasMaxLength(256);
        builder.HasIndex(e => new { e.OrganizationId, e.Id });
        builder.HasIndex(e => new { e.ActorUserId, e.Id });
        builder.Property(e => e.PreviousHash).HasMaxLength(64);
        builder.Property(e => e.Hash).HasMaxLength(64);
        builder.Property(e => e.KeyId).HasMaxLength(16);
        builder.Property(e => e.IpDigest).HasMaxLength(64);
        builder.Property(e => e.UserAgentDigest).HasMaxLength(64);
        builder.Property(e => e.DataDigest).HasMaxLength(64);
        builder.HasIndex(e => new { e.OrganizationId, e.Sequence }).IsUnique();
        // What the chain sealer looks for; partial, so it stays as small as the backlog.
        builder.HasIndex(e => new { e.OrganizationId, e.At, e.Id }, "IX_AuditEntries_Unsealed").HasFilter("\"Sequence\" IS NULL");
    }
}

internal sealed class OutboxMessageConfiguration : IEntityTypeConfiguration<OutboxMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.Type).HasMaxLength(100);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.ActorUserId).HasMaxLength(40);
        builder.HasIndex(e => new { e.ProcessedAt, e.Id });
    }
}

internal sealed class EmailMessageConfiguration : IEntityTypeConfiguration<EmailMessage>
{
    public void Configure(EntityTypeBuilder<EmailMessage> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.To).HasMaxLength(320);
        builder.Property(e => e.Subject).HasMaxLength(300);
        builder.Property(e => e.Purpose).HasMaxLength(40);
        builder.HasIndex(e => new { e.SentAt, e.Id });
    }
}

internal sealed class JobRunConfiguration : IEntityTypeConfiguration<JobRun>
{
    public void Configure(EntityTypeBuilder<JobRun> builder)
    {
        builder.HasKey(e => new { e.JobName, e.Window });
        builder.Property(e => e.JobName).HasMaxLength(100);
        builder.Property(e => e.Window).HasMaxLength(64);
        builder.Property(e => e.Node).HasMaxLength(100);
    }
}
