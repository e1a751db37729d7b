using System.Globalization;
using MudBlazor;

namespace Intelagent.Server.Portal.Customer;

/// <summary>How the usage pages write amounts and colour a meter.</summary>
public static class UsageFormat
{
    private static readonly string[] ByteUnits = ["B", "KB", "MB", "GB", "TB", "PB"];

    public static string Amount(long value, string unit) => unit == "bytes" ? Bytes(value) : value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Decimal multiples as the limits are set (DECISIONS: 1 GB = 10^9 bytes), one decimal: 1500 is "1.5 KB".</summary>
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

    /// <summary>The warning thresholds are the ones notices use: 80% and 100%.</summary>
    public static Color ColorOf(decimal percent) => percent >= 100m ? Color.Error : percent >= 80m ? Color.Warning : Color.Success;
}
