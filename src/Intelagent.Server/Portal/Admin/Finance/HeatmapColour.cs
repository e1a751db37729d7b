using System.Globalization;

namespace Intelagent.Server.Portal.Admin.Finance;

/// <summary>
/// A retention cell's colour: from a pale to a deep blue as retention rises to 120%, with black or
/// white text, whichever contrasts more. At the switch (relative luminance about 0.18) both give at
/// least 4.5:1, so every cell meets WCAG AA whatever its value.
/// </summary>
public static class HeatmapColour
{
    private static readonly (int R, int G, int B) Low = (0xE3, 0xF2, 0xFD);
    private static readonly (int R, int G, int B) High = (0x0D, 0x47, 0xA1);
    private const decimal Top = 1.2m;

    public static (string Background, string Text) Of(decimal ratio)
    {
        var t = (double)(Math.Clamp(ratio, 0m, Top) / Top);
        var r = (int)Math.Round(Low.R + (High.R - Low.R) * t);
        var g = (int)Math.Round(Low.G + (High.G - Low.G) * t);
        var b = (int)Math.Round(Low.B + (High.B - Low.B) * t);
        var luminance = 0.2126 * Linear(r) + 0.7152 * Linear(g) + 0.0722 * Linear(b);
        // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05): equal at L ≈ 0.179.
        var text = luminance > 0.179 ? "#000000" : "#ffffff";
        return (string.Create(CultureInfo.InvariantCulture, $"#{r:x2}{g:x2}{b:x2}"), text);
    }

    public static double ContrastWithText(decimal ratio)
    {
        var (background, text) = Of(ratio);
        static double Luminance(string hex)
        {
            var r = int.Parse(hex.AsSpan(1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var g = int.Parse(hex.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var b = int.Parse(hex.AsSpan(5, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return 0.2126 * Linear(r) + 0.7152 * Linear(g) + 0.0722 * Linear(b);
        }
        var (a, c) = (Luminance(background), Luminance(text));
        return (Math.Max(a, c) + 0.05) / (Math.Min(a, c) + 0.05);
    }

    private static double Linear(int channel)
    {
        var c = channel / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.Pow((c + 0.055) / 1.055, 2.4);
    }
}
