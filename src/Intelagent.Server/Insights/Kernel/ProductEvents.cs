using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Insights.Kernel;

/// <summary>
/// The product event types the platform understands, as <c>product.name</c>. Custom events are
/// <c>custom.&lt;name&gt;</c> with free properties. Ingestion validates each type's required fields.
/// </summary>
public static class ProductEventTypes
{
    public const string ChatbotConversationStarted = "chatbot.conversation_started";
    public const string ChatbotConversationResolved = "chatbot.conversation_resolved";
    public const string ChatbotHandedOff = "chatbot.handed_off";
    public const string ChatbotTicketCreated = "chatbot.ticket_created";

    public const string EmailSent = "email.sent";
    public const string EmailDelivered = "email.delivered";
    public const string EmailOpened = "email.opened";
    public const string EmailClicked = "email.clicked";
    public const string EmailBounced = "email.bounced";

    public const string LeadEnriched = "lead.enriched";
    public const string LeadContacted = "lead.contacted";
    public const string LeadResponded = "lead.responded";

    public const string CustomPrefix = "custom.";

    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        ChatbotConversationStarted, ChatbotConversationResolved, ChatbotHandedOff, ChatbotTicketCreated,
        EmailSent, EmailDelivered, EmailOpened, EmailClicked, EmailBounced,
        LeadEnriched, LeadContacted, LeadResponded,
    };

    /// <summary>The product a type belongs to: chatbot, email, lead, or custom.</summary>
    public static string ProductOf(string type) => type[..type.IndexOf('.', StringComparison.Ordinal)];
}

/// <summary>
/// One event a product sent, kept append-only. <see cref="SubjectKey"/> ties the events of one
/// thing together (a conversation, an email message, a lead) so funnels can be counted;
/// <see cref="Variant"/> is what a product lets its customer choose (an email template, a bot flow,
/// an enrichment source) so performance can be compared between choices. For email events
/// <see cref="SentAt"/> is the send time of the message the event is about, so engagement can be
/// attributed to the hour it was sent in. Properties are free JSON (custom events' fields).
/// </summary>
[NotAudited]
public sealed class ProductEvent : ITenantOwned
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    /// <summary>The sender's id for the event; unique per organization, which makes ingestion idempotent.</summary>
    public required string EventId { get; init; }
    public required string Type { get; init; }
    public DateTimeOffset OccurredAt { get; init; }
    /// <summary>The UTC day of <see cref="OccurredAt"/> (midnight), the partition key of queries and retention.</summary>
    public DateTimeOffset Day { get; init; }
    public DateTimeOffset ReceivedAt { get; init; }
    public string? SubjectKey { get; init; }
    public string? Variant { get; init; }
    public DateTimeOffset? SentAt { get; init; }
    public string PropertiesJson { get; init; } = "{}";
}

/// <summary>
/// Daily counts per organization, type and dimension, maintained as events are stored, so months
/// of events answer from a few thousand rows. <see cref="Dimension"/> is <c>""</c> for the day's
/// total, <c>variant:&lt;name&gt;</c> per variant, and for email events <c>sent:&lt;weekday&gt;-&lt;hour&gt;</c>
/// (ISO weekday 1-7 and UTC hour of the send time, e.g. <c>sent:2-10</c>).
/// </summary>
[NotAudited]
public sealed class ProductEventRollup : ITenantOwned
{
    public long Id { get; init; }
    public required string OrganizationId { get; init; }
    public DateTimeOffset Day { get; init; }
    public required string Type { get; init; }
    public required string Dimension { get; init; }
    public long Count { get; set; }
}

internal sealed class ProductEventConfiguration : IEntityTypeConfiguration<ProductEvent>
{
    public void Configure(EntityTypeBuilder<ProductEvent> builder)
    {
        builder.ToTable("ProductEvents");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.EventId).HasMaxLength(100);
        builder.Property(e => e.Type).HasMaxLength(80);
        builder.Property(e => e.SubjectKey).HasMaxLength(200);
        builder.Property(e => e.Variant).HasMaxLength(100);
        builder.HasIndex(e => new { e.OrganizationId, e.EventId }).IsUnique();
        builder.HasIndex(e => new { e.OrganizationId, e.Day, e.Type });
    }
}

internal sealed class ProductEventRollupConfiguration : IEntityTypeConfiguration<ProductEventRollup>
{
    public void Configure(EntityTypeBuilder<ProductEventRollup> builder)
    {
        builder.ToTable("ProductEventRollups");
        builder.HasKey(e => e.Id);
        builder.Property(e => e.OrganizationId).HasMaxLength(40);
        builder.Property(e => e.Type).HasMaxLength(80);
        builder.Property(e => e.Dimension).HasMaxLength(140);
        builder.HasIndex(e => new { e.OrganizationId, e.Type, e.Day, e.Dimension }).IsUnique();
        builder.HasIndex(e => new { e.Day, e.Type });
    }
}
