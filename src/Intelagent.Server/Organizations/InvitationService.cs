using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Organizations;

/// <summary>
/// Invitations by email with an expiring, single-use token. The link is emailed and also returned
/// to the inviter (decisions, "Email"). Accepting needs the invited address: either signed in as
/// that user, or creating the account with a name and password (the token proves the mailbox).
/// </summary>
public sealed class InvitationService(AppDb db, AuthSettings settings, PublicUrls urls, IPasswordHasher<User> hasher, TokenService tokens, IPasswordRules passwordRules,
    Usage.UsageCapacity capacity, MembershipCache memberships)
{
    public async Task<Result<InvitationResponse>> InviteAsync(InviteRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().Email("email", request.Email).When(request.Role is null, "role", "is required: admin, manager, member or viewer.");
        if (validation.Failed) return validation.ToError();
        var callerRole = db.Request.Role!.Value;
        if (request.Role == Role.Owner) return Error.Unprocessable("use_transfer", "Nobody is invited as owner; ownership moves only by transfer.");
        if (!MemberService.MayGrant(callerRole, request.Role!.Value))
            return Error.Forbidden("role_too_high", "You cannot invite someone to a role above your own, and only owners invite admins.");
        if (request.TeamId is not null && !await db.Teams.AnyAsync(t => t.Id == request.TeamId, cancellationToken))
            return Error.Validation("teamId", "is not a team of this organization.");

        var email = request.Email!.Trim();
        var normalized = User.Normalize(email);
        var now = db.Clock.GetUtcNow();
        var alreadyMember = await db.Memberships.Join(db.Users, m => m.UserId, u => u.Id, (m, u) => u.NormalizedEmail).AnyAsync(e => e == normalized, cancellationToken);
        if (alreadyMember) return Error.Conflict("already_member", "This person is already a member.");
        if (await db.Invitations.AnyAsync(i => i.NormalizedEmail == normalized && i.AcceptedAt == null && i.RevokedAt == null && i.ExpiresAt > now, cancellationToken))
            return Error.Conflict("already_invited", "A pending invitation for this email exists; revoke it to send a new one.");
        if (await capacity.SeatAvailableAsync(cancellationToken) is { } noSeat) return noSeat;

        var token = SecretTokens.Create();
        var invitation = new Invitation
        {
            Id = Id.New(IdPrefix.Invitation, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            Email = email,
            NormalizedEmail = normalized,
            Role = request.Role.Value,
            TeamId = request.TeamId,
            TokenHash = SecretTokens.Hash(token),
            InvitedByUserId = db.Request.UserId!,
            CreatedAt = now,
            ExpiresAt = now + settings.InvitationLifetime,
        };
        db.Invitations.Add(invitation);
        var organizationName = await db.Organizations.Where(o => o.Id == invitation.OrganizationId).Select(o => o.Name).FirstAsync(cancellationToken);
        var link = urls.Link("/invitations/accept?token=" + token);
        EmailOutbox.Queue(db, email, $"You are invited to {organizationName} on Intelagent",
            $"You have been invited to join {organizationName} as {invitation.Role.ToString().ToLowerInvariant()}.\n\nAccept: {link}\n\n" +
            $"The invitation works once and expires at {invitation.ExpiresAt:u}.", "invitation");
        db.Raise(new MemberInvited(invitation.OrganizationId, invitation.Id, email, invitation.Role));
        await db.SaveChangesAsync(cancellationToken);
        return Describe(invitation, now, link, token);
    }

    public async Task<Page<InvitationResponse>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        var now = db.Clock.GetUtcNow();
        return await db.Invitations.AsNoTracking().OrderByDescending(i => i.Id)
            .ToPageAsync(page, (q, after) => q.Where(i => string.Compare(i.Id, after) < 0), i => i.Id, i => Describe(i, now, null, null), cancellationToken);
    }

    public async Task<Result<bool>> RevokeAsync(string invitationId, CancellationToken cancellationToken)
    {
        var invitation = await db.Invitations.FirstOrDefaultAsync(i => i.Id == invitationId, cancellationToken);
        if (invitation is null) return Error.NotFound("invitation");
        if (invitation.AcceptedAt is not null) return Error.Conflict("already_accepted", "The invitation was already accepted.");
        invitation.RevokedAt ??= db.Clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<AcceptInvitationResponse>> AcceptAsync(AcceptInvitationRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Token) || request.Token.Length > 100) return Error.Validation("token", "is required.");
        var hash = SecretTokens.Hash(request.Token);
        var now = db.Clock.GetUtcNow();
        var invitation = await db.Invitations.IgnoreQueryFilters().FirstOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (invitation is null || !invitation.IsPending(now))
            return Error.BadRequest("invalid_invitation", "The invitation is invalid, expired, revoked or already used.");

        User? user;
        IssuedToken? issued = null;
        if (db.Request.UserId is { } signedIn)
        {
            user = await db.Users.FirstAsync(u => u.Id == signedIn, cancellationToken);
            if (user.NormalizedEmail != invitation.NormalizedEmail)
                return Error.Forbidden("wrong_account", "This invitation was sent to another email address; sign in as that user to accept it.");
        }
        else
        {
            user = await db.Users.FirstOrDefaultAsync(u => u.NormalizedEmail == invitation.NormalizedEmail, cancellationToken);
            if (user is not null) return new Error(401, "sign_in_required", "An account with this email exists: sign in, then accept the invitation.");
            var validation = new Validation().RequiredText("name", request.Name, 100).Password("password", request.Password);
            if (validation.Failed) return validation.ToError();
            if (await passwordRules.ProblemsForOrganizationAsync(invitation.OrganizationId, request.Password!, cancellationToken) is { Count: > 0 } problems)
                return new Error(400, "password_policy", "The password does not meet the organization's password policy.", new Dictionary<string, string[]> { ["password"] = [.. problems] });
            user = new User
            {
                Id = Id.New(IdPrefix.User, db.Clock),
                Email = invitation.Email,
                NormalizedEmail = invitation.NormalizedEmail,
                Name = request.Name!.Trim(),
                EmailVerifiedAt = now,
                CreatedAt = now,
                PasswordChangedAt = now,
            };
            user.PasswordHash = hasher.HashPassword(user, request.Password!);
            db.Users.Add(user);
            db.Request.UserId = user.Id;
            var session = new Session { Id = Id.New(IdPrefix.Session, db.Clock), UserId = user.Id, CreatedAt = now, ExpiresAt = now + settings.SessionLifetime, Ip = db.Request.Ip };
            db.Sessions.Add(session);
            issued = tokens.Issue(user.Id, session.Id);
        }

        if (await db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.OrganizationId == invitation.OrganizationId && m.UserId == user.Id, cancellationToken))
            return Error.Conflict("already_member", "You are already a member of this organization.");
        invitation.AcceptedAt = now;
        db.Memberships.Add(new Membership { Id = Id.New(IdPrefix.Membership, db.Clock), OrganizationId = invitation.OrganizationId, UserId = user.Id, Role = invitation.Role, CreatedAt = now });
        if (invitation.TeamId is not null && await db.Teams.IgnoreQueryFilters().AnyAsync(t => t.Id == invitation.TeamId, cancellationToken))
            db.TeamMembers.Add(new TeamMember { Id = Id.New(IdPrefix.TeamMember, db.Clock), OrganizationId = invitation.OrganizationId, TeamId = invitation.TeamId, UserId = user.Id, Role = TeamRole.Member, CreatedAt = now });
        db.Raise(new MemberJoined(invitation.OrganizationId, user.Id, invitation.Role));
        await db.SaveChangesAsync(cancellationToken);
        memberships.ForgetOrganizationsOf(user.Id);
        return new AcceptInvitationResponse(invitation.OrganizationId, invitation.Role, user.Id, issued?.Token, issued?.ExpiresAt);
    }

    private static InvitationResponse Describe(Invitation i, DateTimeOffset now, string? link, string? token) => new(
        i.Id, i.OrganizationId, i.Email, i.Role, i.TeamId, i.InvitedByUserId, i.CreatedAt, i.ExpiresAt,
        i.AcceptedAt is not null ? "accepted" : i.RevokedAt is not null ? "revoked" : i.ExpiresAt <= now ? "expired" : "pending", link, token);
}
