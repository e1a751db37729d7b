using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Identity;

/// <summary>A signed-in person's own account: email verification, passwords, sessions.</summary>
public sealed class AccountService(AppDb db, IPasswordHasher<User> hasher, SessionCache sessions, AccountEmails emails, IPasswordRules rules)
{
    private static readonly Error BadToken = Error.BadRequest("invalid_token", "The link is invalid, expired or already used.");

    public async Task<Result<bool>> VerifyEmailAsync(string? token, CancellationToken cancellationToken)
    {
        var row = await ConsumeAsync(token, UserTokenPurpose.VerifyEmail, cancellationToken);
        if (row is null) return BadToken;
        var user = await db.Users.FirstAsync(u => u.Id == row.UserId, cancellationToken);
        user.EmailVerifiedAt ??= db.Clock.GetUtcNow();
        db.Request.UserId ??= user.Id;
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task ResendVerificationAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        if (user.EmailVerifiedAt is not null) return;
        emails.QueueVerification(user);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Always "accepted": whether the email has an account is not revealed.</summary>
    public async Task<Result<bool>> ForgotPasswordAsync(string? email, CancellationToken cancellationToken)
    {
        var validation = new Validation().Email("email", email);
        if (validation.Failed) return validation.ToError();
        var normalized = User.Normalize(email!);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null) return true;
        emails.QueuePasswordReset(user);
        db.Request.UserId ??= user.Id;
        db.Audit("user.password_reset_requested", "user", user.Id);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<bool>> ResetPasswordAsync(ResetPasswordRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("token", request.Token).Password("password", request.Password);
        if (validation.Failed) return validation.ToError();
        var row = await ConsumeAsync(request.Token, UserTokenPurpose.ResetPassword, cancellationToken);
        if (row is null) return BadToken;
        var user = await db.Users.FirstAsync(u => u.Id == row.UserId, cancellationToken);
        if (await rules.ProblemsAsync(user.Id, request.Password!, cancellationToken) is { Count: > 0 } problems)
            return PolicyError("password", problems);
        db.Request.UserId ??= user.Id;
        SetPassword(user, request.Password!);
        user.LockoutEndsAt = null;
        user.FailedSignInCount = 0;
        // The reset link proves control of the mailbox, so the address is verified too.
        user.EmailVerifiedAt ??= db.Clock.GetUtcNow();
        db.Audit("user.password_reset", "user", user.Id);
        await RevokeSessionsAsync(user.Id, exceptSessionId: null, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<bool>> ChangePasswordAsync(string userId, string currentSessionId, ChangePasswordRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("currentPassword", request.CurrentPassword).Length("currentPassword", request.CurrentPassword, 128)
            .Password("newPassword", request.NewPassword);
        if (validation.Failed) return validation.ToError();
        var user = await db.Users.FirstAsync(u => u.Id == userId, cancellationToken);
        if (hasher.VerifyHashedPassword(user, user.PasswordHash, request.CurrentPassword!) == PasswordVerificationResult.Failed)
            return Error.Validation("currentPassword", "is not your current password.");
        if (await rules.ProblemsAsync(user.Id, request.NewPassword!, cancellationToken) is { Count: > 0 } problems)
            return PolicyError("newPassword", problems);
        SetPassword(user, request.NewPassword!);
        db.Audit("user.password_changed", "user", user.Id);
        await RevokeSessionsAsync(user.Id, currentSessionId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(currentSessionId); // the cached password age must not keep an expiry alive
        return true;
    }

    public Task<List<SessionResponse>> ListSessionsAsync(string userId, string currentSessionId, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        return db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.ExpiresAt > now)
            .OrderByDescending(s => s.Id)
            .Select(s => new SessionResponse(s.Id, s.CreatedAt, s.ExpiresAt, s.Ip, s.UserAgent, s.Id == currentSessionId))
            .ToListAsync(cancellationToken);
    }

    public async Task<Result<bool>> RevokeSessionAsync(string userId, string sessionId, CancellationToken cancellationToken)
    {
        var session = await db.Sessions.FirstOrDefaultAsync(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null, cancellationToken);
        if (session is null) return Error.NotFound("session");
        session.RevokedAt = db.Clock.GetUtcNow();
        db.Audit("session.revoked", "session", sessionId);
        await db.SaveChangesAsync(cancellationToken);
        sessions.Forget(sessionId);
        return true;
    }

    private static Error PolicyError(string field, IReadOnlyList<string> problems) =>
        new(400, "password_policy", "The password does not meet your organization's password policy.", new Dictionary<string, string[]> { [field] = [.. problems] });

    private void SetPassword(User user, string password)
    {
        user.PasswordHash = hasher.HashPassword(user, password);
        user.PasswordChangedAt = db.Clock.GetUtcNow();
    }

    private async Task RevokeSessionsAsync(string userId, string? exceptSessionId, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        var ids = await db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null && s.Id != exceptSessionId).Select(s => s.Id).ToListAsync(cancellationToken);
        await db.Sessions.Where(s => ids.Contains(s.Id)).ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        foreach (var id in ids) sessions.Forget(id);
    }

    /// <summary>Marks a token used; a conditional update makes a second use fail even when two race.</summary>
    private async Task<UserToken?> ConsumeAsync(string? token, UserTokenPurpose purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var hash = SecretTokens.Hash(token);
        var now = db.Clock.GetUtcNow();
        var row = await db.UserTokens.AsNoTracking().FirstOrDefaultAsync(t => t.TokenHash == hash && t.Purpose == purpose, cancellationToken);
        if (row is null || row.UsedAt is not null || row.ExpiresAt <= now) return null;
        var used = await db.UserTokens.Where(t => t.Id == row.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken);
        return used == 1 ? row : null;
    }
}
