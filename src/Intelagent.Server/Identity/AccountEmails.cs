using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Ids;

namespace Intelagent.Server.Identity;

/// <summary>Creates single-use emailed tokens and queues the emails that carry them.</summary>
public sealed class AccountEmails(AppDb db, AuthSettings settings, PublicUrls urls)
{
    public void QueueVerification(User user)
    {
        var token = Issue(user.Id, UserTokenPurpose.VerifyEmail, settings.EmailTokenLifetime);
        EmailOutbox.Queue(db, user.Email, "Confirm your email address",
            $"Hello {user.Name},\n\nConfirm your email address for Intelagent:\n{urls.Link("/verify-email?token=" + token)}\n\n" +
            $"Or POST {{\"token\": \"{token}\"}} to /api/auth/verify-email. The link works once, for {settings.EmailTokenLifetime.TotalHours:0} hours.",
            "verify_email");
    }

    public void QueuePasswordReset(User user)
    {
        var lifetime = TimeSpan.FromHours(1);
        var token = Issue(user.Id, UserTokenPurpose.ResetPassword, lifetime);
        EmailOutbox.Queue(db, user.Email, "Reset your password",
            $"Hello {user.Name},\n\nSomeone asked to reset your Intelagent password. If it was you:\n{urls.Link("/reset-password?token=" + token)}\n\n" +
            $"Or POST {{\"token\": \"{token}\", \"password\": \"...\"}} to /api/auth/reset-password. The link works once, for one hour. If it was not you, ignore this email.",
            "reset_password");
    }

    private string Issue(string userId, UserTokenPurpose purpose, TimeSpan lifetime)
    {
        var token = SecretTokens.Create();
        var now = db.Clock.GetUtcNow();
        db.UserTokens.Add(new UserToken
        {
            Id = Id.New(IdPrefix.UserToken, db.Clock),
            UserId = userId,
            Purpose = purpose,
            TokenHash = SecretTokens.Hash(token),
            CreatedAt = now,
            ExpiresAt = now + lifetime,
        });
        return token;
    }
}
