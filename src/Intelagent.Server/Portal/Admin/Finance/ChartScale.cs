using System.Globalization;

namespace Intelagent.Server.Portal.Admin.Finance;

/// <summary>A value axis with round ticks (1, 2, 2.5 or 5 times a power of ten), shared by the SVG charts.</summary>
public sealed class ChartScale
{
    public decimal Min { get; }
    public decimal Max { get; }
    public IReadOnlyList<decimal> Ticks { get; }

    public ChartScale(IEnumerable<decimal> values, int tickCount = 5)
    {
        var list = values.ToList();
        var low = Math.Min(0m, list.Count == 0 ? 0m : list.Min());
        var high = Math.Max(0m, list.Count == 0 ? 0m : list.Max());
        if (high == low) high = low + 1m;
        var step = NiceStep((high - low) / tickCount);
        Min = Math.Floor(low / step) * step;
        Max = Math.Ceiling(high / step) * step;
        var ticks = new List<decimal>();
        for (var tick = Min; tick <= Max; tick += step) ticks.Add(tick);
        Ticks = ticks;
    }

    /// <summary>Where a value falls between <paramref name="bottom"/> (Min) and <paramref name="top"/> (Max), in SVG units.</summary>
    public double Position(decimal value, double bottom, double top) => bottom - (double)((value - Min) / (Max - Min)) * (bottom - top);

    private static decimal NiceStep(decimal rough)
    {
        if (rough <= 0m) return 1m;
        var power = (decimal)Math.Pow(10, Math.Floor(Math.Log10((double)rough)));
        var fraction = rough / power;
        var nice = fraction <= 1m ? 1m : fraction <= 2m ? 2m : fraction <= 2.5m ? 2.5m : fraction <= 5m ? 5m : 10m;
        return nice * power;
    }

    /// <summary>An SVG coordinate with a dot, whatever the server's culture.</summary>
    public static string At(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
