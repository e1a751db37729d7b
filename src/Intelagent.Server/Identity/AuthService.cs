using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Identity;

/// <summary>Registration, sign-in, sessions and refresh.</summary>
public sealed class AuthService(
    AppDb db, IPasswordHasher<User> hasher, TokenService tokens, AuthSettings settings,
    SessionCache sessions, OrganizationService organizations, AccountEmails emails, TwoFactorChallenges challenges)
{
    private static readonly Error InvalidCredentials = new(401, "invalid_credentials", "The email or password is incorrect.");

    public async Task<Result<(IssuedToken Token, string UserId)>> RegisterAsync(RegisterRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation()
            .Email("email", request.Email)
            .Password("password", request.Password)
            .RequiredText("name", request.Name, 100)
            .RequiredText("organizationName", request.OrganizationName, 100);
        if (validation.Failed) return validation.ToError();

        var email = request.Email!.Trim();
        var normalized = User.Normalize(email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
            return Error.Conflict("email_taken", "An account with this email already exists. Sign in, or reset the password.");

        var now = db.Clock.GetUtcNow();
        var user = new User
        {
            Id = Id.New(IdPrefix.User, db.Clock),
            Email = email,
            NormalizedEmail = normalized,
            Name = request.Name!.Trim(),
            CreatedAt = now,
            PasswordChangedAt = now,
        };
        user.PasswordHash = hasher.HashPassword(user, request.Password!);
        db.Users.Add(user);
        db.Request.UserId = user.Id;
        organizations.Create(request.OrganizationName!.Trim(), user.Id, SubscriptionTier.Free, "UTC");
        emails.QueueVerification(user);
        var token = StartSession(user);
        await db.SaveChangesAsync(cancellationToken);
        return (token, user.Id);
    }

    /// <summary>A token, or (for a user with 2FA) a challenge to complete at /api/auth/2fa/verify.</summary>
    public async Task<Result<SignInOutcome>> LoginAsync(LoginRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().Required("email", request.Email).Required("password", request.Password)
            .Length("email", request.Email, 254).Length("password", request.Password, 128);
        if (validation.Failed) return validation.ToError();

        var normalized = User.Normalize(request.Email!);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            // Same work and the same answer as a wrong password, so the response tells nothing.
            hasher.VerifyHashedPassword(DummyUser, DummyUser.PasswordHash, request.Password!);
            return InvalidCredentials;
        }

        var now = db.Clock.GetUtcNow();
        db.Request.UserId ??= user.Id;
        if (user.LockoutEndsAt > now)
        {
            db.Audit("user.sign_in_failed", "user", user.Id, new { reason = "locked_out" }, AuditOutcome.Failure);
            await db.SaveChangesAsync(cancellationToken);
            return InvalidCredentials;
        }

        var verification = hasher.VerifyHashedPassword(user, user.PasswordHash, request.Password!);
        if (verification == PasswordVerificationResult.Failed)
        {
            CountFailedSignIn(user);
            db.Audit("user.sign_in_failed", "user", user.Id, new { reason = "wrong_password" }, AuditOutcome.Failure);
            await db.SaveChangesAsync(cancellationToken);
            return InvalidCredentials;
        }

        if (verification == PasswordVerificationResult.SuccessRehashNeeded)
            user.PasswordHash = hasher.HashPassword(user, request.Password!);
        if (await SmsTwoFactorService.MethodsOfAsync(db, user.Id, cancellationToken) is { Count: > 0 } methods)
        {
            // The failure count is kept until the second factor succeeds, so code guesses count towards the lockout.
            db.Audit("user.password_accepted", "user", user.Id, new { next = "two_factor" });
            await db.SaveChangesAsync(cancellationToken);
            return new SignInOutcome(null, user.Id, challenges.Issue(user.Id, methods));
        }
        user.FailedSignInCount = 0;
        user.LockoutEndsAt = null;
        var token = StartSession(user);
        db.Audit("user.signed_in", "user", user.Id);
        await db.SaveChangesAsync(cancellationToken);
        return new SignInOutcome(token, user.Id, null);
    }

    public async Task LogoutAsync(string sessionId, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now), cancellationToken);
        sessions.Forget(sessionId);
        db.Audit("user.signed_out", "session", sessionId);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Renews a token, expired or not, as long as its session lives.</summary>
    public async Task<Result<IssuedToken>> RefreshAsync(string? presentedToken, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(presentedToken)) return new Error(401, "unauthenticated", "Send the token to refresh in the auth-token cookie or an Authorization: Bearer header.");
        var claims = await tokens.ReadIgnoringLifetimeAsync(presentedToken);
        if (claims is null) return new Error(401, "invalid_token", "The token is not one this platform issued.");
        var session = await sessions.GetActiveAsync(claims.Value.SessionId, cancellationToken);
        if (session is null || session.UserId != claims.Value.UserId) return new Error(401, "session_ended", "The session has ended; sign in again.");
        return tokens.Issue(session.UserId, session.SessionId);
    }

    /// <summary>Counts a wrong password or second factor; enough of them lock the account for a while.</summary>
    public void CountFailedSignIn(User user)
    {
        user.FailedSignInCount++;
        if (user.FailedSignInCount < settings.MaxFailedSignIns) return;
        user.LockoutEndsAt = db.Clock.GetUtcNow() + settings.LockoutDuration;
        user.FailedSignInCount = 0;
    }

    public IssuedToken StartSession(User user)
    {
        var now = db.Clock.GetUtcNow();
        var session = new Session
        {
            Id = Id.New(IdPrefix.Session, db.Clock),
            UserId = user.Id,
            CreatedAt = now,
            ExpiresAt = now + settings.SessionLifetime,
            Ip = db.Request.Ip,
            UserAgent = db.Request.UserAgent is { Length: > 256 } agent ? agent[..256] : db.Request.UserAgent,
        };
        db.Sessions.Add(session);
        db.Request.SessionId = session.Id;
        return tokens.Issue(user.Id, session.Id);
    }

    private static readonly User DummyUser = CreateDummy();

    private static User CreateDummy()
    {
        var user = new User { Id = "usr_dummy", Email = "dummy@invalid", NormalizedEmail = "DUMMY@INVALID", Name = "dummy" };
        user.PasswordHash = new PasswordHasher<User>().HashPassword(user, Guid.NewGuid().ToString());
        return user;
    }
}

/// <summary>A sign-in's answer: a token, or a 2FA challenge.</summary>
public sealed record SignInOutcome(IssuedToken? Token, string UserId, TwoFactorChallengeResponse? Challenge);
