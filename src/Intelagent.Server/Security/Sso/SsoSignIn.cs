using Intelagent.Server.Identity;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Usage;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Sso;

/// <summary>What an identity provider vouched for.</summary>
public sealed record ExternalIdentity(string Subject, string? Email, string? Name, bool? EmailVerified);

/// <summary>
/// Turns a verified external identity into a session: the email must be in one of the connection's
/// verified domains; the user is found or created, made a member just in time (within the seat
/// limit, with the connection's default role), and signed in. Every outcome is audited.
/// </summary>
public sealed class SsoSignIn(AppDb db, AuthService auth, UsageCapacity capacity, MembershipCache memberships)
{
    public async Task<Result<IssuedToken>> CompleteAsync(string connectionId, ExternalIdentity identity, CancellationToken cancellationToken)
    {
        var connection = await db.Set<SsoConnection>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is not { Enabled: true }) return Error.NotFound("SSO connection");
        db.Request.SetTenant(connection.OrganizationId, null);

        var email = identity.Email?.Trim();
        var domain = email is null ? null : DomainProof.DomainOf(email);
        if (email is null || domain is null || identity.EmailVerified == false)
            return await RefuseAsync(connection, identity, "sso_email_missing", "The identity provider did not vouch for an email address.");
        if (!await db.Set<SsoDomain>().AnyAsync(d => d.Domain == domain && d.VerifiedAt != null, cancellationToken))
            return await RefuseAsync(connection, identity, "sso_domain_not_verified", $"{domain} is not a verified domain of this organization.");

        var now = db.Clock.GetUtcNow();
        var normalized = User.Normalize(email);
        var user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            user = new User
            {
                Id = Id.New(IdPrefix.User, db.Clock),
                Email = email,
                NormalizedEmail = normalized,
                Name = string.IsNullOrWhiteSpace(identity.Name) ? email[..email.IndexOf('@')] : identity.Name.Trim()[..Math.Min(identity.Name.Trim().Length, 100)],
                EmailVerifiedAt = now,
                CreatedAt = now,
                PasswordChangedAt = now,
            };
            // No password: this person signs in through SSO (or sets one by the reset link).
            db.Users.Add(user);
        }
        db.Request.UserId = user.Id;
        if (!await db.Memberships.AnyAsync(m => m.UserId == user.Id, cancellationToken))
        {
            if (await capacity.SeatAvailableAsync(cancellationToken) is { } full)
                return await RefuseAsync(connection, identity, full.Code, full.Detail);
            db.Memberships.Add(new Membership { Id = Id.New(IdPrefix.Membership, db.Clock), OrganizationId = connection.OrganizationId, UserId = user.Id, Role = connection.DefaultRole, CreatedAt = now });
            db.Raise(new MemberJoined(connection.OrganizationId, user.Id, connection.DefaultRole));
        }
        var token = auth.StartSession(user);
        db.Audit("user.signed_in", "user", user.Id, new { method = "sso", protocol = connection.Protocol.ToString().ToLowerInvariant(), connectionId });
        await db.SaveChangesAsync(cancellationToken);
        memberships.ForgetOrganizationsOf(user.Id);
        return token;
    }

    private async Task<Error> RefuseAsync(SsoConnection connection, ExternalIdentity identity, string code, string detail)
    {
        db.Audit("user.sign_in_failed", "sso_connection", connection.Id, new { method = "sso", reason = code, subject = identity.Subject }, AuditOutcome.Failure);
        await db.SaveChangesAsync();
        return Error.Forbidden(code, detail);
    }
}
