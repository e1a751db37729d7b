using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>TOTP enrolment, confirmation, removal, and the second step of sign-in.</summary>
public sealed class TwoFactorService(AppDb db, IDataProtectionProvider protection, TwoFactorChallenges challenges, AuthService auth, SessionCache sessions, SmsCodes smsCodes)
{
    public const string SeedPurpose = "Intelagent.TwoFactor.Seed.v1";
    private readonly IDataProtector _seeds = protection.CreateProtector(SeedPurpose);
    private static readonly Error WrongCode = Error.Validation("code", "is not a valid code (or it was already used).");

    public async Task<Result<TotpEnrollmentResponse>> EnrollAsync(string userId, CancellationToken cancellationToken)
    {
        var credential = await db.Set<TwoFactorCredential>().FirstOrDefaultAsync(c => c.UserId == userId, cancellationToken);
        if (credential?.EnabledAt is not null) return Error.Conflict("two_factor_already_enabled", "Two-factor authentication is already on; disable it first to enrol a new authenticator.");
        var secret = TotpCodes.ToBase32(TotpCodes.NewSecret());
        if (credential is null)
        {
            credential = new TwoFactorCredential { UserId = userId, ProtectedSecret = "" };
            db.Set<TwoFactorCredential>().Add(credential);
        }
        credential.ProtectedSecret = _seeds.Protect(secret);
        credential.CreatedAt = db.Clock.GetUtcNow();
        credential.LastUsedTimeStep = 0;
        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstAsync(cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        var uri = TotpCodes.OtpAuthUri(secret, email);
        return new TotpEnrollmentResponse(secret, uri, TotpCodes.QrCodeDataUri(uri));
    }

    public async Task<Result<RecoveryCodesResponse>> ConfirmAsync(string userId, string sessionId, string? code, CancellationToken cancellationToken)
    {
        var credential = await db.Set<TwoFactorCredential>().FirstOrDefaultAsync(c => c.UserId == userId, cancellationToken);
        if (credential is null) return Error.Conflict("two_factor_not_enrolled", "Start with POST /api/auth/2fa/totp/enroll.");
        if (credential.EnabledAt is not null) return Error.Conflict("two_factor_already_enabled", "Two-factor authentication is already on.");
        if (!await AcceptCodeAsync(credential, code, cancellationToken)) return WrongCode;
        var codes = TotpCodes.NewRecoveryCodes();
        credential.EnabledAt = db.Clock.GetUtcNow();
        credential.RecoveryCodeHashes = string.Join(' ', codes.Select(c => SecretTokens.Hash(TotpCodes.NormalizeRecoveryCode(c))));
        db.Request.UserId ??= userId;
        db.Audit("user.two_factor_enabled", "user", userId, new { method = "totp" });
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(sessionId);
        return new RecoveryCodesResponse(codes);
    }

    public async Task<Result<bool>> DisableAsync(string userId, string sessionId, string? code, CancellationToken cancellationToken)
    {
        var credential = await db.Set<TwoFactorCredential>().FirstOrDefaultAsync(c => c.UserId == userId && c.EnabledAt != null, cancellationToken);
        if (credential is null) return Error.Conflict("two_factor_not_enabled", "Two-factor authentication is not on.");
        if (!await AcceptCodeAsync(credential, code, cancellationToken)) return WrongCode;
        db.Set<TwoFactorCredential>().Remove(credential);
        db.Audit("user.two_factor_disabled", "user", userId);
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(sessionId);
        return true;
    }

    /// <summary>The second step of sign-in: a current authenticator or SMS code, or an unused recovery code, completes it.</summary>
    public async Task<Result<(IssuedToken Token, string UserId)>> VerifyAsync(VerifyTwoFactorRequest request, CancellationToken cancellationToken)
    {
        var userId = challenges.Read(request.ChallengeToken);
        if (userId is null) return new Error(401, "invalid_challenge", "The sign-in challenge is invalid or expired; sign in again.");
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        var credential = await db.Set<TwoFactorCredential>().FirstOrDefaultAsync(c => c.UserId == userId && c.EnabledAt != null, cancellationToken);
        var hasSms = await db.Set<SmsPhone>().AnyAsync(p => p.UserId == userId && p.VerifiedAt != null, cancellationToken);
        db.Request.UserId ??= userId;
        var now = db.Clock.GetUtcNow();
        if ((credential is null && !hasSms) || user.LockoutEndsAt > now) return new Error(401, "invalid_challenge", "The sign-in challenge is invalid or expired; sign in again.");

        var method = !string.IsNullOrEmpty(request.RecoveryCode) ? "recovery_code" : request.Method ?? (credential is not null ? "totp" : "sms");
        if (method is not ("totp" or "sms" or "recovery_code")) return Error.Validation("method", "must be totp or sms.");
        var accepted = method switch
        {
            "recovery_code" => credential is not null && await ConsumeRecoveryCodeAsync(credential, request.RecoveryCode!, cancellationToken),
            "sms" => hasSms && await smsCodes.AcceptAsync(userId, SmsCodePurposes.SignIn, request.Code, cancellationToken),
            _ => credential is not null && await AcceptCodeAsync(credential, request.Code, cancellationToken),
        };
        if (!accepted)
        {
            auth.CountFailedSignIn(user);
            var reason = method switch { "recovery_code" => "wrong_recovery_code", "sms" => "wrong_sms_code", _ => "wrong_two_factor_code" };
            db.Audit("user.sign_in_failed", "user", userId, new { reason }, AuditOutcome.Failure);
            await db.SaveChangesAsync(cancellationToken);
            return method == "recovery_code" ? Error.Validation("recoveryCode", "is not an unused recovery code.") : WrongCode;
        }
        user.FailedSignInCount = 0;
        var token = auth.StartSession(user);
        db.Audit("user.signed_in", "user", userId, new { secondFactor = method });
        await db.SaveChangesAsync(cancellationToken);
        return (token, userId);
    }

    /// <summary>
    /// Accepts a code once: its time step must be later than the last accepted one, and the
    /// conditional update makes two simultaneous uses of one code (on any nodes) succeed once.
    /// </summary>
    private async Task<bool> AcceptCodeAsync(TwoFactorCredential credential, string? code, CancellationToken cancellationToken)
    {
        var secret = TotpCodes.FromBase32(_seeds.Unprotect(credential.ProtectedSecret));
        var step = TotpCodes.MatchingStep(secret, code, db.Clock.GetUtcNow());
        if (step is not { } matched || matched <= credential.LastUsedTimeStep) return false;
        var updated = await db.Set<TwoFactorCredential>().Where(c => c.UserId == credential.UserId && c.LastUsedTimeStep < matched)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.LastUsedTimeStep, matched), cancellationToken);
        if (updated != 1) return false;
        db.Entry(credential).Property(c => c.LastUsedTimeStep).CurrentValue = matched;
        db.Entry(credential).Property(c => c.LastUsedTimeStep).OriginalValue = matched;
        return true;
    }

    private async Task<bool> ConsumeRecoveryCodeAsync(TwoFactorCredential credential, string code, CancellationToken cancellationToken)
    {
        if (code.Length > 40) return false;
        var hash = SecretTokens.Hash(TotpCodes.NormalizeRecoveryCode(code));
        var hashes = credential.RecoveryCodeHashes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (!hashes.Contains(hash)) return false;
        var before = credential.RecoveryCodeHashes;
        var after = string.Join(' ', hashes.Where(h => h != hash));
        var updated = await db.Set<TwoFactorCredential>().Where(c => c.UserId == credential.UserId && c.RecoveryCodeHashes == before)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.RecoveryCodeHashes, after), cancellationToken);
        if (updated != 1) return false;
        db.Entry(credential).Property(c => c.RecoveryCodeHashes).CurrentValue = after;
        db.Entry(credential).Property(c => c.RecoveryCodeHashes).OriginalValue = after;
        return true;
    }
}
