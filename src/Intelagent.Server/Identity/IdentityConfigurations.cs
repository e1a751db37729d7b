using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Identity;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.Email).HasMaxLength(254);
        builder.Property(e => e.NormalizedEmail).HasMaxLength(254);
        builder.HasIndex(e => e.NormalizedEmail).IsUnique();
        builder.Property(e => e.Name).HasMaxLength(100);
        builder.Property(e => e.PasswordHash).HasMaxLength(200);
    }
}

internal sealed class SessionConfiguration : IEntityTypeConfiguration<Session>
{
    public void Configure(EntityTypeBuilder<Session> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.Ip).HasMaxLength(64);
        builder.Property(e => e.UserAgent).HasMaxLength(256);
        builder.HasIndex(e => e.UserId);
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class UserTokenConfiguration : IEntityTypeConfiguration<UserToken>
{
    public void Configure(EntityTypeBuilder<UserToken> builder)
    {
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.TokenHash).HasMaxLength(64);
        builder.HasIndex(e => e.TokenHash).IsUnique();
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
