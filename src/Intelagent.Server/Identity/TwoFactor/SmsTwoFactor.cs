using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>
/// A user's phone for SMS codes as a second factor. Off until <see cref="VerifiedAt"/>: a code sent
/// to the number proves it reaches the person. Not audited by the hook (the number would land in
/// the entry's data): enrolment and removal write explicit entries without it.
/// </summary>
[NotAudited]
public sealed class SmsPhone
{
    public required string UserId { get; init; }
    /// <summary>E.164 (<c>+14155550123</c>).</summary>
    public required string PhoneNumber { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
}

/// <summary>
/// One code sent by text message. Only a keyed hash is stored (<see cref="SmsCodeHasher"/>); it
/// expires after five minutes, dies after five wrong guesses, and is consumed by a conditional
/// update, so it is accepted once on any node.
/// </summary>
[NotAudited]
public sealed class SmsCode
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public required string Purpose { get; init; }
    [Secret] public required string CodeHash { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset ExpiresAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? ConsumedAt { get; set; }
}

public static class SmsCodePurposes
{
    public const string Enrol = "enrol";
    public const string SignIn = "sign_in";
    public const string Removal = "removal";
}

internal sealed class SmsPhoneConfiguration : IEntityTypeConfiguration<SmsPhone>
{
    public void Configure(EntityTypeBuilder<SmsPhone> builder)
    {
        builder.ToTable("SmsPhones");
        builder.HasKey(e => e.UserId);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.PhoneNumber).HasMaxLength(20);
        builder.HasOne<User>().WithOne().HasForeignKey<SmsPhone>(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class SmsCodeConfiguration : IEntityTypeConfiguration<SmsCode>
{
    public void Configure(EntityTypeBuilder<SmsCode> builder)
    {
        builder.ToTable("SmsCodes");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.UserId).HasMaxLength(40);
        builder.Property(e => e.Purpose).HasMaxLength(20);
        builder.Property(e => e.CodeHash).HasMaxLength(64);
        builder.HasIndex(e => new { e.UserId, e.Purpose, e.CreatedAt });
        builder.HasOne<User>().WithMany().HasForeignKey(e => e.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
