using System.Globalization;

namespace Intelagent.Server.Portal.Shared;

public static class Money
{
    /// <summary>An amount as presented: rounded half away from zero to cents, with its currency.</summary>
    public static string Format(decimal amount, string currency) =>
        Math.Round(amount, 2, MidpointRounding.AwayFromZero).ToString("N2", CultureInfo.InvariantCulture) + " " + currency;
}
