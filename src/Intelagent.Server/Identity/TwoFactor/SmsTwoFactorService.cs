using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Identity.TwoFactor;

public sealed record EnrollSmsRequest(string? PhoneNumber);
public sealed record SendSmsCodeRequest(string? ChallengeToken);
public sealed record SmsTwoFactorStatus(string PhoneNumber, bool Verified, DateTimeOffset? VerifiedAt);
public sealed record TwoFactorStatusResponse(bool Totp, SmsTwoFactorStatus? Sms, int RecoveryCodesLeft);

/// <summary>
/// SMS codes as a second factor: enrolling a phone (proved by a code sent to it), removing it
/// (proved the same way), and the code of the second sign-in step.
/// </summary>
public sealed class SmsTwoFactorService(AppDb db, SmsCodes codes, TwoFactorChallenges challenges, SessionCache sessions)
{
    private static readonly Error WrongCode = Error.Validation("code", "is not a valid code (it may have expired, been used, or had too many tries).");

    public async Task<Result<SmsCodeSent>> EnrollAsync(string userId, EnrollSmsRequest request, CancellationToken cancellationToken)
    {
        if (PhoneNumbers.Normalize(request.PhoneNumber) is not { } number)
            return Error.Validation("phoneNumber", "must be an international number in E.164 form, such as +14155550123.");
        var phone = await db.Set<SmsPhone>().FirstOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (phone?.VerifiedAt is not null) return Error.Conflict("sms_already_enabled", "SMS codes are already on; remove the phone first to enrol another.");
        if (phone is null) db.Set<SmsPhone>().Add(phone = new SmsPhone { UserId = userId, PhoneNumber = number });
        phone.PhoneNumber = number;
        phone.CreatedAt = db.Clock.GetUtcNow();
        return await codes.SendAsync(userId, SmsCodePurposes.Enrol, number, cancellationToken);
    }

    public async Task<Result<SmsTwoFactorStatus>> ConfirmAsync(string userId, string sessionId, string? code, CancellationToken cancellationToken)
    {
        var phone = await db.Set<SmsPhone>().FirstOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        if (phone is null) return Error.Conflict("sms_not_enrolled", "Start with POST /api/auth/2fa/sms/enroll.");
        if (phone.VerifiedAt is not null) return Error.Conflict("sms_already_enabled", "SMS codes are already on.");
        if (!await codes.AcceptAsync(userId, SmsCodePurposes.Enrol, code, cancellationToken)) return WrongCode;
        phone.VerifiedAt = db.Clock.GetUtcNow();
        db.Request.UserId ??= userId;
        db.Audit("user.two_factor_enabled", "user", userId, new { method = "sms" });
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(sessionId);
        return Describe(phone);
    }

    /// <summary>Sends a code to the enrolled phone that <see cref="RemoveAsync"/> then asks for.</summary>
    public async Task<Result<SmsCodeSent>> SendRemovalCodeAsync(string userId, CancellationToken cancellationToken)
    {
        var phone = await db.Set<SmsPhone>().AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId && p.VerifiedAt != null, cancellationToken);
        if (phone is null) return Error.Conflict("sms_not_enabled", "SMS codes are not on.");
        return await codes.SendAsync(userId, SmsCodePurposes.Removal, phone.PhoneNumber, cancellationToken);
    }

    public async Task<Result<bool>> RemoveAsync(string userId, string sessionId, string? code, CancellationToken cancellationToken)
    {
        var phone = await db.Set<SmsPhone>().FirstOrDefaultAsync(p => p.UserId == userId && p.VerifiedAt != null, cancellationToken);
        if (phone is null) return Error.Conflict("sms_not_enabled", "SMS codes are not on.");
        if (!await codes.AcceptAsync(userId, SmsCodePurposes.Removal, code, cancellationToken)) return WrongCode;
        db.Set<SmsPhone>().Remove(phone);
        db.Request.UserId ??= userId;
        db.Audit("user.two_factor_disabled", "user", userId, new { method = "sms" });
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(sessionId);
        return true;
    }

    /// <summary>The second sign-in step's code, sent to the enrolled phone of the challenge's user.</summary>
    public async Task<Result<SmsCodeSent>> SendSignInCodeAsync(SendSmsCodeRequest request, CancellationToken cancellationToken)
    {
        var userId = challenges.Read(request.ChallengeToken);
        if (userId is null) return new Error(401, "invalid_challenge", "The sign-in challenge is invalid or expired; sign in again.");
        var phone = await db.Set<SmsPhone>().AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId && p.VerifiedAt != null, cancellationToken);
        if (phone is null) return Error.Conflict("sms_not_enabled", "This account has no phone for SMS codes; use the authenticator app or a recovery code.");
        return await codes.SendAsync(userId, SmsCodePurposes.SignIn, phone.PhoneNumber, cancellationToken);
    }

    public async Task<TwoFactorStatusResponse> StatusAsync(string userId, CancellationToken cancellationToken)
    {
        var totp = await db.Set<TwoFactorCredential>().AsNoTracking().FirstOrDefaultAsync(c => c.UserId == userId && c.EnabledAt != null, cancellationToken);
        var phone = await db.Set<SmsPhone>().AsNoTracking().FirstOrDefaultAsync(p => p.UserId == userId, cancellationToken);
        return new TwoFactorStatusResponse(totp is not null, phone is null ? null : Describe(phone),
            totp?.RecoveryCodeHashes.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length ?? 0);
    }

    /// <summary>The second factors a user has on, in the order a client should offer them.</summary>
    public static async Task<IReadOnlyList<string>> MethodsOfAsync(AppDb db, string userId, CancellationToken cancellationToken)
    {
        var methods = new List<string>();
        if (await db.Set<TwoFactorCredential>().AnyAsync(c => c.UserId == userId && c.EnabledAt != null, cancellationToken)) methods.AddRange(["totp", "recovery_code"]);
        if (await db.Set<SmsPhone>().AnyAsync(p => p.UserId == userId && p.VerifiedAt != null, cancellationToken)) methods.Add("sms");
        return methods;
    }

    private static SmsTwoFactorStatus Describe(SmsPhone phone) => new(PhoneNumbers.Mask(phone.PhoneNumber), phone.VerifiedAt is not null, phone.VerifiedAt);
}
