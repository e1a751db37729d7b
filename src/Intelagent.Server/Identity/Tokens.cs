using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Intelagent.Server.Identity;

public sealed class AuthSettings
{
    public const string CookieName = "auth-token";
    public const string Issuer = "intelagent";
    public const string Audience = "intelagent";

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromDays(14);
    public TimeSpan EmailTokenLifetime { get; init; } = TimeSpan.FromHours(24);
    public TimeSpan InvitationLifetime { get; init; } = TimeSpan.FromDays(7);
    public int MaxFailedSignIns { get; init; } = 5;
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);
    public bool SecureCookies { get; init; }
}

/// <summary>
/// HMAC-SHA256 signing keys from <c>JWT_SECRET</c> (and <c>JWT_SECRET_PREVIOUS</c> during a rotation).
/// Each key's id is derived from the secret, so tokens name the key that signed them and a rotated
/// key keeps validating until the previous secret is dropped.
/// </summary>
public sealed class SigningKeys
{
    public SigningKeys(string currentSecret, string? previousSecret)
    {
        Current = Create(currentSecret);
        All = previousSecret is { Length: > 0 } ? [Current, Create(previousSecret)] : [Current];
    }

    public SymmetricSecurityKey Current { get; }
    public IReadOnlyList<SecurityKey> All { get; }

    private static SymmetricSecurityKey Create(string secret)
    {
        var bytes = Encoding.UTF8.GetBytes(secret);
        if (bytes.Length < 32) throw new InvalidOperationException("JWT_SECRET must be at least 32 bytes long.");
        return new SymmetricSecurityKey(bytes) { KeyId = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] };
    }

    /// <summary>
    /// Production must be given a secret; the embedded default generates one once and keeps it in
    /// the data folder (mode 600), so tokens survive restarts and no secret is a constant in code.
    /// </summary>
    public static string ResolveSecret(IConfiguration configuration, IHostEnvironment environment, string dataDirectory)
    {
        var configured = configuration["JWT_SECRET"];
        if (!string.IsNullOrEmpty(configured)) return configured;
        if (environment.IsProduction()) throw new InvalidOperationException("JWT_SECRET is required in Production.");
        var path = Path.Combine(dataDirectory, "jwt-secret");
        if (File.Exists(path)) return File.ReadAllText(path).Trim();
        Directory.CreateDirectory(dataDirectory);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        File.WriteAllText(path, secret);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return secret;
    }
}

public sealed record IssuedToken(string Token, DateTimeOffset ExpiresAt);

public sealed class TokenService(SigningKeys keys, AuthSettings settings, TimeProvider clock)
{
    public const string SessionClaim = "sid";
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public IssuedToken Issue(string userId, string sessionId)
    {
        var now = clock.GetUtcNow();
        var expires = now + settings.TokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthSettings.Issuer,
            Audience = AuthSettings.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new ClaimsIdentity([
                new Claim(JwtRegisteredClaimNames.Sub, userId),
                new Claim(SessionClaim, sessionId),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(keys.Current, SecurityAlgorithms.HmacSha256),
        });
        return new IssuedToken(token, expires);
    }

    public TokenValidationParameters ValidationParameters(bool validateLifetime = true) => new()
    {
        ValidIssuer = AuthSettings.Issuer,
        ValidAudience = AuthSettings.Audience,
        IssuerSigningKeys = keys.All,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ValidateLifetime = validateLifetime,
        RequireExpirationTime = true,
        // Lifetime is checked against TimeProvider, so tests that move the clock see tokens expire.
        LifetimeValidator = (notBefore, expires, _, _) =>
        {
            if (!validateLifetime) return true;
            var now = clock.GetUtcNow().UtcDateTime;
            var skew = TimeSpan.FromSeconds(30);
            return (notBefore is null || notBefore.Value - skew <= now) && expires is not null && now < expires.Value + skew;
        },
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };

    /// <summary>Reads a token's subject and session without checking its lifetime (for refresh).</summary>
    public async Task<(string UserId, string SessionId)?> ReadIgnoringLifetimeAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, ValidationParameters(validateLifetime: false));
        if (!result.IsValid) return null;
        var subject = result.ClaimsIdentity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var session = result.ClaimsIdentity.FindFirst(SessionClaim)?.Value;
        return subject is null || session is null ? null : (subject, session);
    }
}
