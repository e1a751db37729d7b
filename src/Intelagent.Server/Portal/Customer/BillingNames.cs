using Intelagent.Server.Billing.Kernel;
using MudBlazor;

namespace Intelagent.Server.Portal.Customer;

/// <summary>The words and colours the billing pages use for products and states.</summary>
public static class BillingNames
{
    public static string Product(string code) => code switch
    {
        "platform" => "Platform",
        "chatbot" => "Support chatbot",
        "email_campaigns" => "Email campaigns",
        "lead_enrichment" => "Lead enrichment",
        _ => code,
    };

    public static string Status(SubscriptionStatus status) => status == SubscriptionStatus.PastDue ? "past due" : status.ToString().ToLowerInvariant();

    public static Color ColorOf(SubscriptionStatus status) => status switch
    {
        SubscriptionStatus.Active => Color.Success,
        SubscriptionStatus.Trialing => Color.Info,
        SubscriptionStatus.PastDue => Color.Warning,
        _ => Color.Default,
    };

    public static Color ColorOf(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Paid => Color.Success,
        InvoiceStatus.Open => Color.Info,
        InvoiceStatus.Uncollectible => Color.Error,
        _ => Color.Default,
    };
}
