using Intelagent.Server.Identity;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.DataRequests.Handlers;

/// <summary>Membership, team places and invitations in the organization.</summary>
internal sealed class OrganizationsPersonalData(AppDb db) : IPersonalDataHandler
{
    public string Section => "organization";
    public int Order => 10;
    public IReadOnlyList<Type> Covers { get; } = [typeof(Membership), typeof(TeamMember), typeof(Invitation)];

    public async Task<object?> ExportAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var emails = Normalized(subject);
        var invitations = await db.Invitations.AsNoTracking().Where(i => emails.Contains(i.NormalizedEmail)).OrderBy(i => i.Id)
            .Select(i => new { i.Id, i.Email, i.Role, i.TeamId, i.CreatedAt, i.ExpiresAt, i.AcceptedAt, i.RevokedAt }).ToListAsync(cancellationToken);
        if (subject.UserId is not { } userId) return new { invitations };
        var membership = await db.Memberships.AsNoTracking().Where(m => m.UserId == userId).Select(m => new { m.Id, m.Role, m.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
        var teams = await db.TeamMembers.AsNoTracking().Where(t => t.UserId == userId).OrderBy(t => t.Id)
            .Select(t => new { t.TeamId, t.Role, t.CreatedAt }).ToListAsync(cancellationToken);
        return new { membership, teams, invitations };
    }

    public async Task<int> EraseAsync(PersonalDataSubject subject, CancellationToken cancellationToken)
    {
        var emails = Normalized(subject);
        var touched = await db.Invitations.Where(i => emails.Contains(i.NormalizedEmail)).ExecuteDeleteAsync(cancellationToken);
        if (subject.UserId is not { } userId) return touched;
        touched += await db.TeamMembers.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        touched += await db.Memberships.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        return touched;
    }

    private static List<string> Normalized(PersonalDataSubject subject) => [User.Normalize(subject.Email)];
}
