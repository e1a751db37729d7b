using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Security.Sms;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Identity.TwoFactor;

public sealed class SmsCodeSettings
{
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(5);
    public int MaxAttempts { get; init; } = 5;
    /// <summary>The least time between two codes for one person and purpose.</summary>
    public TimeSpan ResendInterval { get; init; } = TimeSpan.FromSeconds(30);
    public int MaxPerHour { get; init; } = 5;
}

/// <summary>
/// Keyed hashes of SMS codes. A six-digit code has a million values, so a plain hash would fall to
/// anyone reading the table; the key is derived (HKDF) from the JWT secret, which every node shares
/// and the database never holds. Rotating that secret only voids codes in flight (five minutes).
/// </summary>
public sealed class SmsCodeHasher(SigningKeys keys)
{
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, keys.Current.Key, 32, info: "intelagent sms codes v1"u8.ToArray());

    public string Hash(string codeId, string code) => Convert.ToHexStringLower(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(codeId + "\n" + code)));
}

public sealed record SmsCodeSent(string SentTo, DateTimeOffset ExpiresAt, DateTimeOffset ResendAvailableAt);

/// <summary>Issuing and accepting SMS codes: short-lived, single use, hashed, attempts limited, resends throttled.</summary>
public sealed class SmsCodes(AppDb db, ISmsSender sender, SmsCodeHasher hasher, SmsCodeSettings settings)
{
    /// <summary>Issues a fresh code (voiding earlier ones of the purpose), commits, then sends it.</summary>
    public async Task<Result<SmsCodeSent>> SendAsync(string userId, string purpose, string phoneNumber, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var recent = await db.Set<SmsCode>().Where(c => c.UserId == userId && c.Purpose == purpose && c.CreatedAt > now.AddHours(-1))
            .Select(c => c.CreatedAt).ToListAsync(cancellationToken);
        if (recent.Count > 0 && recent.Max() + settings.ResendInterval > now)
            return new Error(429, "sms_throttled", $"A code was sent moments ago; ask again after {(recent.Max() + settings.ResendInterval - now).TotalSeconds:0} seconds.");
        if (recent.Count >= settings.MaxPerHour)
            return new Error(429, "sms_throttled", $"At most {settings.MaxPerHour} codes an hour; try again later.");

        await db.Set<SmsCode>().Where(c => c.UserId == userId && c.Purpose == purpose && c.ConsumedAt == null && c.ExpiresAt > now)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ExpiresAt, now), cancellationToken);
        var code = RandomNumberGenerator.GetInt32(0, 1_000_000).ToString("D6", CultureInfo.InvariantCulture);
        var id = Id.New(IdPrefix.SmsCode, db.Clock);
        db.Set<SmsCode>().Add(new SmsCode { Id = id, UserId = userId, Purpose = purpose, CodeHash = hasher.Hash(id, code), CreatedAt = now, ExpiresAt = now + settings.Lifetime });
        await db.SaveChangesAsync(cancellationToken);

        var sent = await sender.SendAsync(phoneNumber, $"Your Intelagent code is {code}. It expires in {settings.Lifetime.TotalMinutes:0} minutes. Never share it.", purpose, cancellationToken);
        if (!sent.Sent) return new Error(503, "sms_unavailable", "The text message could not be sent; try again in a moment.");
        return new SmsCodeSent(PhoneNumbers.Mask(phoneNumber), now + settings.Lifetime, now + settings.ResendInterval);
    }

    /// <summary>
    /// True when the code matches the person's latest live code of the purpose. Every guess spends an
    /// attempt first (a conditional update), and success consumes the code (another), so neither a
    /// replay nor parallel guesses on several nodes get past the limits.
    /// </summary>
    public async Task<bool> AcceptAsync(string userId, string purpose, string? code, CancellationToken cancellationToken)
    {
        code = code?.Replace(" ", "");
        if (code is not { Length: 6 } || !code.All(char.IsAsciiDigit)) return false;
        var now = db.Clock.GetUtcNow();
        var live = await db.Set<SmsCode>().AsNoTracking().Where(c => c.UserId == userId && c.Purpose == purpose && c.ConsumedAt == null && c.ExpiresAt > now)
            .OrderByDescending(c => c.CreatedAt).FirstOrDefaultAsync(cancellationToken);
        if (live is null) return false;
        var spent = await db.Set<SmsCode>().Where(c => c.Id == live.Id && c.Attempts < settings.MaxAttempts)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Attempts, c => c.Attempts + 1), cancellationToken);
        if (spent != 1) return false;
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(hasher.Hash(live.Id, code)), Encoding.ASCII.GetBytes(live.CodeHash))) return false;
        return await db.Set<SmsCode>().Where(c => c.Id == live.Id && c.ConsumedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.ConsumedAt, now), cancellationToken) == 1;
    }
}

/// <summary>Phone numbers in E.164, the form Twilio takes.</summary>
public static class PhoneNumbers
{
    /// <summary>The number as <c>+</c> and 8 to 15 digits (spaces, dashes, dots and brackets dropped), or null.</summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 32) return null;
        var trimmed = value.Trim();
        if (!trimmed.StartsWith('+')) return null;
        var digits = new string(trimmed[1..].Where(c => c is not (' ' or '-' or '.' or '(' or ')')).ToArray());
        return digits.Length is >= 8 and <= 15 && digits.All(char.IsAsciiDigit) && digits[0] != '0' ? "+" + digits : null;
    }

    /// <summary>Only the last two digits, for answers and messages that need not show the number.</summary>
    public static string Mask(string number) => number.Length <= 4 ? "••" : number[..2] + new string('•', number.Length - 4) + number[^2..];
}
