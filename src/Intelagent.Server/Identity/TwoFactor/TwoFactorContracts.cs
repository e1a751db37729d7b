namespace Intelagent.Server.Identity.TwoFactor;

public sealed record TotpEnrollmentResponse(string Secret, string OtpauthUri, string QrCode);
public sealed record CodeRequest(string? Code);
public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);
/// <summary><c>method</c> is <c>totp</c> or <c>sms</c> for <c>code</c>; left out, it is the authenticator when the user has one, else SMS.</summary>
public sealed record VerifyTwoFactorRequest(string? ChallengeToken, string? Code, string? RecoveryCode, string? Method = null);

/// <summary>
/// What sign-in answers instead of a token when the user has 2FA: complete it at /api/auth/2fa/verify.
/// <c>methods</c> lists what the user can answer with (<c>totp</c>, <c>recovery_code</c>, <c>sms</c>: ask for
/// the code at /api/auth/2fa/sms/send).
/// </summary>
public sealed record TwoFactorChallengeResponse(bool TwoFactorRequired, string ChallengeToken, DateTimeOffset ExpiresAt, IReadOnlyList<string> Methods);
