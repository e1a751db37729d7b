namespace Intelagent.Server.Platform.Ids;

/// <summary>
/// Opaque, unguessable, time-sortable identifiers: a type prefix and a lower-case ULID
/// (48 bits of time, 80 random bits), e.g. <c>org_01jd3k...</c>. Because ULIDs sort by creation
/// time, ordering by id is ordering by age, which cursor paging relies on.
/// </summary>
public static class Id
{
    public static string New(string prefix, TimeProvider clock) =>
        prefix + "_" + Ulid.NewUlid(clock.GetUtcNow()).ToString().ToLowerInvariant();

    public static bool HasPrefix(string? id, string prefix) =>
        id is not null && id.Length == prefix.Length + 27 && id.StartsWith(prefix + "_", StringComparison.Ordinal);
}

/// <summary>The prefixes in use, in one place so that they never collide.</summary>
public static class IdPrefix
{
    public const string Organization = "org";
    public const string User = "usr";
    public const string Membership = "mem";
    public const string Team = "team";
    public const string TeamMember = "tmm";
    public const string Project = "prj";
    public const string Invitation = "invt";
    public const string Session = "ses";
    public const string UserToken = "tok";
    public const string Audit = "aud";
    public const string Event = "evt";
    public const string Notification = "ntf";
    public const string Email = "eml";
    public const string AuditCheckpoint = "audck";
    public const string Incident = "inc";
    public const string IncidentTimeline = "inctl";
    public const string SecurityAlert = "salrt";
    public const string RealtimeEvent = "rte";
    public const string Activity = "act";
    public const string ApiKey = "key";
    public const string SsoConnection = "sso";
    public const string SsoDomain = "ssod";
    public const string Document = "doc";
    public const string Presence = "prs";
    public const string SecurityScoreSnapshot = "sscore";
    public const string DataRequest = "dreq";
    public const string ComplianceReport = "crep";
    public const string UsageAlert = "ualrt";
    public const string SmsMessage = "smsg";
    public const string SmsCode = "smsc";

    // Billing (the kernel's ids; the modules on it add theirs here too).
    public const string Plan = "plan";
    public const string Discount = "disc";
    public const string Subscription = "sub";
    public const string SubscriptionEvent = "sev";
    public const string Invoice = "inv";
    public const string InvoiceLine = "invl";
    public const string Payment = "pay";
    public const string PaymentMethod = "pmeth";
    public const string Refund = "rfnd";
    public const string CreditNote = "crn";
    public const string DunningCase = "dun";
    public const string CostEntry = "cost";
    public const string CostAlert = "calrt";
    public const string FinancialReport = "frep";
    public const string Insight = "ins";
}
