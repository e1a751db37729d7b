using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Security.Sms;

/// <summary>
/// A text message kept by the default sender (no Twilio configured). Operators read them at
/// <c>/api/admin/sms-outbox</c>; the bodies (sign-in codes) only in Development. Covered by the
/// data-request registry through the recipient's phone number.
/// </summary>
[NotAudited]
public sealed class SmsMessage
{
    public required string Id { get; init; }
    [PersonalData] public required string To { get; init; }
    [Secret] public required string Body { get; init; }
    public required string Purpose { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

internal sealed class SmsMessageConfiguration : IEntityTypeConfiguration<SmsMessage>
{
    public void Configure(EntityTypeBuilder<SmsMessage> builder)
    {
        builder.ToTable("SmsMessages");
        builder.Property(e => e.Id).HasMaxLength(40);
        builder.Property(e => e.To).HasMaxLength(20);
        builder.Property(e => e.Body).HasMaxLength(1600);
        builder.Property(e => e.Purpose).HasMaxLength(40);
        builder.HasIndex(e => e.To);
    }
}
