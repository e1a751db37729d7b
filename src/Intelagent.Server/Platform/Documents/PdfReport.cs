using System.Globalization;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Intelagent.Server.Platform.Documents;

public enum ColumnAlign
{
    Left,
    Right,
}

/// <summary>A table column: its header, its share of the page width and its alignment (amounts right).</summary>
public sealed record PdfColumn(string Header, double Width = 1, ColumnAlign Align = ColumnAlign.Left);

/// <summary>
/// A small flowing document for invoices, credit notes, financial and compliance reports: a title,
/// headings, text, label/value pairs and tables, on A4 pages that break by themselves (table headers
/// repeat). Build it top to bottom, then <see cref="ToBytes"/>. Text is drawn, not laid out by a
/// layout engine, so long cells are cut with an ellipsis rather than wrapped.
/// </summary>
public sealed class PdfReport
{
    private const double Margin = 48;
    private const double LineGap = 4;
    private readonly PdfDocument _document = new();
    private readonly XFont _title;
    private readonly XFont _heading;
    private readonly XFont _body;
    private readonly XFont _bold;
    private readonly XFont _small;
    private XGraphics _graphics = null!;
    private PdfPage _page = null!;
    private double _y;

    public PdfReport(string title, DateTimeOffset createdAt)
    {
        EmbeddedFontResolver.EnsureInstalled();
        _title = new XFont("DejaVu Sans", 18, XFontStyleEx.Bold);
        _heading = new XFont("DejaVu Sans", 12, XFontStyleEx.Bold);
        _body = new XFont("DejaVu Sans", 9.5, XFontStyleEx.Regular);
        _bold = new XFont("DejaVu Sans", 9.5, XFontStyleEx.Bold);
        _small = new XFont("DejaVu Sans", 7.5, XFontStyleEx.Regular);
        _document.Info.Title = title;
        _document.Info.Creator = "Intelagent";
        _document.Info.CreationDate = createdAt.UtcDateTime;
        NewPage();
        Line(title, _title);
        _y += 6;
    }

    private double ContentWidth => _page.Width.Point - 2 * Margin;

    public PdfReport Heading(string text)
    {
        _y += 8;
        Line(text, _heading);
        return this;
    }

    public PdfReport Text(string text)
    {
        foreach (var line in Wrap(text, _body, ContentWidth)) Line(line, _body);
        return this;
    }

    public PdfReport Note(string text)
    {
        foreach (var line in Wrap(text, _small, ContentWidth)) Line(line, _small);
        return this;
    }

    /// <summary>Label/value pairs in two columns, e.g. "Invoice number: INV-2026-000001".</summary>
    public PdfReport Fields(params (string Label, string Value)[] fields)
    {
        foreach (var (label, value) in fields)
        {
            EnsureRoom(_body.Height + LineGap);
            _graphics.DrawString(label, _bold, XBrushes.Black, new XRect(Margin, _y, 140, _body.Height), XStringFormats.TopLeft);
            _graphics.DrawString(Fit(value, _body, ContentWidth - 150), _body, XBrushes.Black, new XRect(Margin + 150, _y, ContentWidth - 150, _body.Height), XStringFormats.TopLeft);
            _y += _body.Height + LineGap;
        }
        return this;
    }

    public PdfReport Table(IReadOnlyList<PdfColumn> columns, IEnumerable<IReadOnlyList<string>> rows)
    {
        var total = columns.Sum(c => c.Width);
        var widths = columns.Select(c => c.Width / total * ContentWidth).ToArray();
        _y += 4;
        DrawRow(columns.Select(c => c.Header).ToArray(), columns, widths, _bold, header: true);
        foreach (var row in rows)
        {
            if (EnsureRoom(_body.Height + LineGap)) DrawRow(columns.Select(c => c.Header).ToArray(), columns, widths, _bold, header: true);
            DrawRow(row, columns, widths, _body, header: false);
        }
        _y += 4;
        return this;
    }

    public byte[] ToBytes()
    {
        _graphics.Dispose();
        for (var index = 0; index < _document.PageCount; index++)
        {
            using var graphics = XGraphics.FromPdfPage(_document.Pages[index], XGraphicsPdfPageOptions.Append);
            var footer = string.Create(CultureInfo.InvariantCulture, $"Page {index + 1} of {_document.PageCount}");
            graphics.DrawString(footer, _small, XBrushes.Gray, new XRect(Margin, _document.Pages[index].Height.Point - Margin / 2, ContentWidth, 10), XStringFormats.TopRight);
        }
        using var output = new MemoryStream();
        _document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private void DrawRow(IReadOnlyList<string> cells, IReadOnlyList<PdfColumn> columns, double[] widths, XFont font, bool header)
    {
        var x = Margin;
        for (var index = 0; index < columns.Count; index++)
        {
            var text = index < cells.Count ? Fit(cells[index], font, widths[index] - 6) : "";
            var format = columns[index].Align == ColumnAlign.Right ? XStringFormats.TopRight : XStringFormats.TopLeft;
            _graphics.DrawString(text, font, XBrushes.Black, new XRect(x + 3, _y, widths[index] - 6, font.Height), format);
            x += widths[index];
        }
        _y += font.Height + LineGap;
        if (header) _graphics.DrawLine(XPens.Gray, Margin, _y - LineGap / 2, Margin + ContentWidth, _y - LineGap / 2);
    }

    private void Line(string text, XFont font)
    {
        EnsureRoom(font.Height + LineGap);
        _graphics.DrawString(text, font, XBrushes.Black, new XRect(Margin, _y, ContentWidth, font.Height), XStringFormats.TopLeft);
        _y += font.Height + LineGap;
    }

    /// <summary>Starts a new page when <paramref name="height"/> does not fit; true if it did.</summary>
    private bool EnsureRoom(double height)
    {
        if (_y + height <= _page.Height.Point - Margin) return false;
        NewPage();
        return true;
    }

    private void NewPage()
    {
        _graphics?.Dispose();
        _page = _document.AddPage();
        _page.Size = PdfSharp.PageSize.A4;
        _graphics = XGraphics.FromPdfPage(_page);
        _y = Margin;
    }

    private string Fit(string text, XFont font, double width)
    {
        if (_graphics.MeasureString(text, font).Width <= width) return text;
        var length = text.Length;
        while (length > 0 && _graphics.MeasureString(text[..length] + "…", font).Width > width) length--;
        return text[..length] + "…";
    }

    private IEnumerable<string> Wrap(string text, XFont font, double width)
    {
        foreach (var paragraph in text.Split('\n'))
        {
            var line = "";
            foreach (var word in paragraph.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && _graphics.MeasureString(candidate, font).Width > width)
                {
                    yield return line;
                    line = word;
                }
                else line = candidate;
            }
            yield return line;
        }
    }
}
