using System.Globalization;
using Intelagent.Server.Platform.Documents;
using PdfSharp.Pdf.IO;

namespace Intelagent.Tests.Unit;

public sealed class PdfReportTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ToBytes_WhenATableOutgrowsOnePage_ShouldBreakIntoPagesAndReadBackAsAPdf()
    {
        var report = new PdfReport("Invoice INV-2026-000001", Created)
            .Fields(("Customer", "Acme Ltd — Zürich"), ("Total", "1 234.56 EUR"))
            .Heading("Lines");
        var rows = Enumerable.Range(1, 120)
            .Select(i => (IReadOnlyList<string>)[$"Line {i}", i.ToString(CultureInfo.InvariantCulture), "10.00"]);
        var bytes = report.Table([new("Description", 3), new("Quantity", 1, ColumnAlign.Right), new("Amount", 1, ColumnAlign.Right)], rows)
            .Text("Tax is exclusive and shown per line and in total.")
            .ToBytes();

        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        using var stream = new MemoryStream(bytes);
        using var document = PdfReader.Open(stream, PdfDocumentOpenMode.Import);
        Assert.True(document.PageCount >= 2, $"expected the table to spill over, got {document.PageCount} page(s)");
        Assert.Equal("Invoice INV-2026-000001", document.Info.Title);
    }
}
