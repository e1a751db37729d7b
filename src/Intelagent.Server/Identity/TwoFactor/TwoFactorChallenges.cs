using System.Globalization;
using Microsoft.AspNetCore.DataProtection;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>
/// The proof that a password was right, handed out instead of a token when the user has 2FA: a
/// Data Protection payload (user and expiry), valid five minutes, on any node. Guessing codes
/// against it counts towards the account's lockout, like wrong passwords.
/// </summary>
public sealed class TwoFactorChallenges(IDataProtectionProvider protection, TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    private readonly IDataProtector _protector = protection.CreateProtector("Intelagent.TwoFactor.Challenge.v1");

    public TwoFactorChallengeResponse Issue(string userId, IReadOnlyList<string> methods)
    {
        var expires = clock.GetUtcNow() + Lifetime;
        var token = _protector.Protect(userId + "|" + expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        return new TwoFactorChallengeResponse(true, token, expires, methods);
    }

    /// <summary>The user the challenge was issued to, or null when it is forged or expired.</summary>
    public string? Read(string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 1000) return null;
        string payload;
        try { payload = _protector.Unprotect(token); }
        catch (System.Security.Cryptography.CryptographicException) { return null; }
        var parts = payload.Split('|');
        if (parts.Length != 2 || !long.TryParse(parts[1], CultureInfo.InvariantCulture, out var expires)) return null;
        return DateTimeOffset.FromUnixTimeSeconds(expires) > clock.GetUtcNow() ? parts[0] : null;
    }
}
