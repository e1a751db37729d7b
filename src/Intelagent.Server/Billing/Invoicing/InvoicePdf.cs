using System.Globalization;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Documents;

namespace Intelagent.Server.Billing.Invoicing;

/// <summary>An invoice as a PDF (the shared <see cref="PdfReport"/>): header fields, the lines with their tax, the totals.</summary>
public static class InvoicePdf
{
    public static byte[] Render(Invoice invoice, string organizationName, string? billingEmail)
    {
        var title = invoice.Number is { } number ? $"Invoice {number}" : "Draft invoice";
        var report = new PdfReport(title, invoice.IssuedAt ?? invoice.CreatedAt)
            .Fields(
                ("Bill to", organizationName + (billingEmail is null ? "" : $" <{billingEmail}>")),
                ("Status", invoice.Status.ToString().ToLowerInvariant()),
                ("Issued", invoice.IssuedAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "not yet"),
                ("Due", invoice.DueAt?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "-"),
                ("Currency", invoice.Currency));
        if (invoice.PeriodStart is { } start && invoice.PeriodEnd is { } end)
            report.Fields(("Period", $"{start:yyyy-MM-dd} to {end:yyyy-MM-dd}"));
        report.Heading("Lines").Table(
            [new("Description", 4), new("Quantity", 1, ColumnAlign.Right), new("Unit price", 1.2, ColumnAlign.Right),
             new("Amount", 1.2, ColumnAlign.Right), new($"Tax {invoice.TaxRatePercent.ToString("0.####", CultureInfo.InvariantCulture)}%", 1, ColumnAlign.Right)],
            invoice.Lines.OrderBy(l => l.Position).Select(l => (IReadOnlyList<string>)
                [l.Description, l.Quantity.ToString("0.######", CultureInfo.InvariantCulture), Unit(l.UnitAmount), Money(l.Amount, invoice.Currency),
                 Money(l.Tax, invoice.Currency)]));
        report.Heading("Totals").Fields(
            ("Subtotal", Money(invoice.Subtotal, invoice.Currency) + " " + invoice.Currency),
            ("Tax", Money(invoice.Tax, invoice.Currency) + " " + invoice.Currency),
            ("Total", Money(invoice.Total, invoice.Currency) + " " + invoice.Currency),
            ("Paid", Money(invoice.AmountPaid, invoice.Currency) + " " + invoice.Currency),
            ("Amount due", Money(invoice.AmountDue, invoice.Currency) + " " + invoice.Currency));
        if (invoice.Memo is { Length: > 0 } memo) report.Text(memo);
        return report.Note("Tax is exclusive, computed per line and rounded half away from zero to the currency's minor unit.").ToBytes();
    }

    private static string Money(decimal amount, string currency) =>
        Currencies.Round(amount, currency).ToString("N" + Currencies.MinorUnitsOf(currency), CultureInfo.InvariantCulture);

    private static string Unit(decimal amount) => amount.ToString("0.00####", CultureInfo.InvariantCulture);
}
