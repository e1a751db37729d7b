using System.Security.Cryptography;
using OtpNet;
using QRCoder;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>RFC 6238 codes through Otp.NET: SHA-1, six digits, 30-second steps, one step of drift either way.</summary>
public static class TotpCodes
{
    public const string Issuer = "Intelagent";

    public static byte[] NewSecret() => KeyGeneration.GenerateRandomKey(20);

    public static string ToBase32(byte[] secret) => Base32Encoding.ToString(secret).TrimEnd('=');

    public static byte[] FromBase32(string secret) => Base32Encoding.ToBytes(secret);

    /// <summary>The time step a code matches, or null. The caller refuses steps already used (no replay).</summary>
    public static long? MatchingStep(byte[] secret, string? code, DateTimeOffset now)
    {
        if (code is null) return null;
        code = code.Replace(" ", "");
        if (code.Length != 6 || !code.All(char.IsAsciiDigit)) return null;
        var totp = new Totp(secret, step: 30, mode: OtpHashMode.Sha1, totpSize: 6);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1)) ? step : null;
    }

    public static string OtpAuthUri(string secretBase32, string accountName) =>
        $"otpauth://totp/{Uri.EscapeDataString(Issuer)}:{Uri.EscapeDataString(accountName)}?secret={secretBase32}&issuer={Uri.EscapeDataString(Issuer)}&algorithm=SHA1&digits=6&period=30";

    public static string QrCodeDataUri(string content)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(content, QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new PngByteQRCode(data).GetGraphic(5));
    }

    /// <summary>Ten recovery codes like <c>k3f9q-2m8xz</c> (50 random bits each).</summary>
    public static IReadOnlyList<string> NewRecoveryCodes()
    {
        const string alphabet = "abcdefghjkmnpqrstuvwxyz23456789";
        return Enumerable.Range(0, 10).Select(_ =>
        {
            var chars = Enumerable.Range(0, 10).Select(_ => alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)]).ToArray();
            return new string(chars, 0, 5) + "-" + new string(chars, 5, 5);
        }).ToList();
    }

    public static string NormalizeRecoveryCode(string code) => code.Trim().ToLowerInvariant().Replace(" ", "");
}
