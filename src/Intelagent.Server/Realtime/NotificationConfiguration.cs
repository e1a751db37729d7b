using Intelagent.Server.Organizations;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Realtime;

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.Type).HasMaxLength(60);
        builder.Property(e => e.Title).HasMaxLength(200);
        builder.Property(e => e.Body).HasMaxLength(2000);
        builder.Property(e => e.Link).HasMaxLength(500);
        builder.HasIndex(e => new { e.OrganizationId, e.UserId, e.ReadAt, e.Id });
        builder.HasOne<Organization>().WithMany().HasForeignKey(e => e.OrganizationId).OnDelete(DeleteBehavior.Cascade);
    }
}
