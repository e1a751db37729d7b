using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Ids;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>A line before it becomes part of an invoice. A null amount means quantity x unit amount.</summary>
public sealed record LineDraft(InvoiceLineKind Kind, string Description, decimal Quantity, decimal UnitAmount, decimal? Amount = null,
    DateTimeOffset? PeriodStart = null, DateTimeOffset? PeriodEnd = null);

/// <summary>
/// Totals of an invoice. Tax is exclusive and computed per line, each line's tax rounded to the
/// currency's minor unit (half away from zero); the invoice's tax is the sum of the lines' taxes, so
/// every figure on the document adds up exactly (docs/decisions/012).
/// </summary>
public static class InvoiceMath
{
    public static decimal LineAmount(LineDraft line, string currency) =>
        Currencies.Round(line.Amount ?? line.Quantity * line.UnitAmount, currency);

    public static decimal LineTax(decimal lineAmount, decimal taxRatePercent, string currency) =>
        Currencies.Round(lineAmount * taxRatePercent / 100m, currency);

    public static Invoice Build(string organizationId, string currency, decimal taxRatePercent, IEnumerable<LineDraft> drafts, TimeProvider clock,
        string? subscriptionId = null, DateTimeOffset? periodStart = null, DateTimeOffset? periodEnd = null, string? memo = null)
    {
        var invoice = new Invoice
        {
            Id = Id.New(IdPrefix.Invoice, clock),
            OrganizationId = organizationId,
            Status = InvoiceStatus.Draft,
            Currency = currency,
            SubscriptionId = subscriptionId,
            PeriodStart = periodStart,
            PeriodEnd = periodEnd,
            TaxRatePercent = taxRatePercent,
            CreatedAt = clock.GetUtcNow(),
            Memo = memo,
        };
        var position = 0;
        foreach (var draft in drafts)
        {
            var amount = LineAmount(draft, currency);
            invoice.Lines.Add(new InvoiceLine
            {
                Id = Id.New(IdPrefix.InvoiceLine, clock),
                InvoiceId = invoice.Id,
                Position = ++position,
                Kind = draft.Kind,
                Description = draft.Description,
                Quantity = draft.Quantity,
                UnitAmount = draft.UnitAmount,
                Amount = amount,
                Tax = LineTax(amount, taxRatePercent, currency),
                PeriodStart = draft.PeriodStart,
                PeriodEnd = draft.PeriodEnd,
            });
        }
        invoice.Subtotal = invoice.Lines.Sum(l => l.Amount);
        invoice.Tax = invoice.Lines.Sum(l => l.Tax);
        invoice.Total = invoice.Subtotal + invoice.Tax;
        return invoice;
    }
}
