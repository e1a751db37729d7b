namespace Intelagent.Server.Identity.TwoFactor;

public sealed record TotpEnrollmentResponse(string Secret, string OtpauthUri, string QrCode);
public sealed record CodeRequest(string? Code);
public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);
public sealed record VerifyTwoFactorRequest(string? ChallengeToken, string? Code, string? RecoveryCode);

/// <summary>What sign-in answers instead of a token when the user has 2FA: complete it at /api/auth/2fa/verify.</summary>
public sealed record TwoFactorChallengeResponse(bool TwoFactorRequired, string ChallengeToken, DateTimeOffset ExpiresAt);
