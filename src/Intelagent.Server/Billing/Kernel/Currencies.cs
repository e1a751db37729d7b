namespace Intelagent.Server.Billing.Kernel;

/// <summary>
/// The currencies billing accepts and their minor units (ISO 4217). Amounts keep full precision
/// inside; <see cref="Round"/> is applied only where a figure is presented or stored as a charge
/// (decisions: "Money and metrics"), half away from zero.
/// </summary>
public static class Currencies
{
    public const string Reporting = "USD";

    private static readonly Dictionary<string, int> MinorUnits = new(StringComparer.Ordinal)
    {
        ["USD"] = 2,
        ["EUR"] = 2,
        ["GBP"] = 2,
        ["CHF"] = 2,
        ["CAD"] = 2,
        ["AUD"] = 2,
        ["NZD"] = 2,
        ["SEK"] = 2,
        ["NOK"] = 2,
        ["DKK"] = 2,
        ["PLN"] = 2,
        ["CZK"] = 2,
        ["BRL"] = 2,
        ["MXN"] = 2,
        ["INR"] = 2,
        ["SGD"] = 2,
        ["HKD"] = 2,
        ["ZAR"] = 2,
        ["CNY"] = 2,
        ["ILS"] = 2,
        ["JPY"] = 0,
        ["KRW"] = 0,
        ["CLP"] = 0,
        ["ISK"] = 0,
        ["KWD"] = 3,
        ["BHD"] = 3,
        ["JOD"] = 3,
        ["OMR"] = 3,
        ["TND"] = 3,
    };

    public static IReadOnlyCollection<string> Supported => MinorUnits.Keys;

    public static bool IsSupported(string? code) => code is not null && MinorUnits.ContainsKey(code);

    public static int MinorUnitsOf(string code) =>
        MinorUnits.TryGetValue(code, out var digits) ? digits : throw new ArgumentException($"Unsupported currency '{code}'.", nameof(code));

    /// <summary>Rounds to the currency's minor unit, half away from zero.</summary>
    public static decimal Round(decimal amount, string code) =>
        Math.Round(amount, MinorUnitsOf(code), MidpointRounding.AwayFromZero);

    /// <summary>The amount in minor units (cents), as payment providers want it.</summary>
    public static long ToMinorUnits(decimal amount, string code) =>
        (long)(Round(amount, code) * Pow10(MinorUnitsOf(code)));

    public static decimal FromMinorUnits(long minor, string code) => minor / Pow10(MinorUnitsOf(code));

    private static decimal Pow10(int digits) => digits switch { 0 => 1m, 2 => 100m, 3 => 1000m, _ => (decimal)Math.Pow(10, digits) };
}
