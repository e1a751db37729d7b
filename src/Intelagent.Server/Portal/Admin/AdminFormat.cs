using System.Globalization;

namespace Intelagent.Server.Portal.Admin;

/// <summary>How the admin pages write ratios, byte sizes and chart axis amounts.</summary>
public static class AdminFormat
{
    private static readonly string[] ByteUnits = ["B", "kB", "MB", "GB", "TB", "PB"];

    /// <summary>A ratio (0.05) as a percentage ("5.0%"); a ratio without a denominator is a dash, never 0.</summary>
    public static string Percent(decimal? ratio, int digits = 1) =>
        ratio is { } r ? Math.Round(r * 100m, digits, MidpointRounding.AwayFromZero).ToString("N" + digits, CultureInfo.InvariantCulture) + "%" : "–";

    public static string Number(decimal? value, int digits = 1) =>
        value is { } v ? Math.Round(v, digits, MidpointRounding.AwayFromZero).ToString("N" + digits, CultureInfo.InvariantCulture) : "–";

    public static string Money(decimal? amount, string currency) => amount is { } a ? Shared.Money.Format(a, currency) : "–";

    /// <summary>Decimal units as decided for the platform (1 GB = 10^9 bytes), one decimal.</summary>
    public static string Bytes(long bytes)
    {
        double value = bytes;
        var unit = 0;
        while (Math.Abs(value) >= 1000 && unit < ByteUnits.Length - 1)
        {
            value /= 1000;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + ByteUnits[unit];
    }

    /// <summary>A short amount for an axis tick: 1.2k, 3.4M.</summary>
    public static string Compact(decimal value)
    {
        var abs = Math.Abs(value);
        return abs switch
        {
            >= 1_000_000m => (value / 1_000_000m).ToString("0.#", CultureInfo.InvariantCulture) + "M",
            >= 1_000m => (value / 1_000m).ToString("0.#", CultureInfo.InvariantCulture) + "k",
            _ => value.ToString("0.##", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>"2026-03" as "Mar 2026".</summary>
    public static string MonthLabel(string month) =>
        DateTime.TryParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("MMM yyyy", CultureInfo.InvariantCulture)
            : month;
}
