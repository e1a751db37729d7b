using Intelagent.Server.Identity;
using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.DataRequests.Handlers;

/// <summary>The account: profile, sessions, emailed tokens, authenticator.</summary>
internal sealed class IdentityPersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "account";
    public int Order => 20;
    public IReadOnlyList<Type> Covers { get; } = [typeof(User), typeof(Session), typeof(UserToken), typeof(TwoFactorCredential)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        // The account is shown only to an organization the person belongs to.
        if (subject.UserId is not { } userId || !subject.IsMember) return null;
        var user = await db.Users.AsNoTracking().SingleAsync(u => u.Id == userId, cancellationToken);
        var sessions = await db.Sessions.AsNoTracking().Where(s => s.UserId == userId).OrderBy(s => s.Id)
            .Select(s => new { s.Id, s.CreatedAt, s.ExpiresAt, s.RevokedAt, s.LastActivityAt, s.Ip, s.UserAgent }).ToListAsync(cancellationToken);
        var twoFactor = await db.Set<TwoFactorCredential>().AsNoTracking().Where(c => c.UserId == userId).Select(c => new { c.CreatedAt, c.EnabledAt }).FirstOrDefaultAsync(cancellationToken);
        return new
        {
            user = new { user.Id, user.Email, user.Name, user.CreatedAt, user.EmailVerifiedAt, user.PasswordChangedAt },
            twoFactor,
            sessions,
        };
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        if (subject.UserId is not { } userId || !subject.EraseAccount) return 0;
        var erasedEmail = $"{subject.Pseudonym}@erased.invalid";
        // The row stays, pseudonymised, so the ids in records the law keeps (invoices, audit) still resolve.
        var touched = await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u
            .SetProperty(x => x.Email, erasedEmail)
            .SetProperty(x => x.NormalizedEmail, User.Normalize(erasedEmail))
            .SetProperty(x => x.Name, "Erased user")
            .SetProperty(x => x.PasswordHash, ""), cancellationToken);
        touched += await db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        touched += await db.UserTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        touched += await db.Set<TwoFactorCredential>().Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        return touched;
    }
}
