using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Organizations;

public sealed class OrganizationSettings
{
    public TimeSpan DeletionGracePeriod { get; init; } = TimeSpan.FromDays(30);
}

/// <summary>Organizations themselves: creation, details, settings, scheduled deletion.</summary>
public sealed class OrganizationService(AppDb db, OrganizationSettings settings, MembershipCache memberships)
{
    /// <summary>Adds an organization with its owner to the unit of work (the caller saves).</summary>
    public Organization Create(string name, string ownerUserId, SubscriptionTier tier, string timeZone)
    {
        var now = db.Clock.GetUtcNow();
        var organization = new Organization
        {
            Id = Id.New(IdPrefix.Organization, db.Clock),
            Name = name,
            SubscriptionTier = tier,
            TimeZone = timeZone,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Organizations.Add(organization);
        db.Memberships.Add(new Membership
        {
            Id = Id.New(IdPrefix.Membership, db.Clock),
            OrganizationId = organization.Id,
            UserId = ownerUserId,
            Role = Role.Owner,
            CreatedAt = now,
        });
        db.Raise(new OrganizationCreated(organization.Id, name, ownerUserId));
        db.Raise(new MemberJoined(organization.Id, ownerUserId, Role.Owner));
        return organization;
    }

    public async Task<Result<OrganizationSummary>> CreateForCallerAsync(CreateOrganizationRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().RequiredText("name", request.Name, 100).Length("timeZone", request.TimeZone, 64);
        if (request.TimeZone is not null && !IsTimeZone(request.TimeZone)) validation.Add("timeZone", "must be an IANA time zone such as Europe/Paris.");
        if (validation.Failed) return validation.ToError();
        var organization = Create(request.Name!.Trim(), db.Request.UserId!, SubscriptionTier.Free, request.TimeZone ?? "UTC");
        await db.SaveChangesAsync(cancellationToken);
        memberships.ForgetOrganizationsOf(db.Request.UserId!);
        return Summary(organization, Role.Owner);
    }

    public async Task<(OrganizationResponse Response, int Version)?> GetAsync(string id, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return null;
        var teams = await db.Teams.AsNoTracking().OrderBy(t => t.Name).Select(t => new TeamSummary(t.Id, t.Name)).ToListAsync(cancellationToken);
        var users = await MemberQueries.Members(db).Take(PageRequest.MaxLimit).ToListAsync(cancellationToken);
        return (new OrganizationResponse(organization.Id, organization.Name, organization.SubscriptionTier, organization.Mrr, organization.MrrCurrency,
            organization.TimeZone, organization.CreatedAt, organization.UpdatedAt, organization.DeletionScheduledFor, db.Request.Role, teams, users), organization.Version);
    }

    public async Task<Page<OrganizationSummary>> ListForCallerAsync(PageRequest page, SubscriptionTier? tier, string? name, CancellationToken cancellationToken)
    {
        var userId = db.Request.UserId!;
        var query = db.Memberships.IgnoreQueryFilters().Where(m => m.UserId == userId)
            .Join(db.Organizations.IgnoreQueryFilters(), m => m.OrganizationId, o => o.Id, (m, o) => new { o, role = (Role?)m.Role });
        if (tier is not null) query = query.Where(x => x.o.SubscriptionTier == tier);
        if (!string.IsNullOrWhiteSpace(name)) query = query.Where(x => x.o.Name.ToLower().Contains(name.ToLower()));
        return await query.OrderBy(x => x.o.Id).ToPageAsync(page, (q, after) => q.Where(x => string.Compare(x.o.Id, after) > 0),
            x => x.o.Id, x => Summary(x.o, x.role), cancellationToken);
    }

    /// <summary>The operator's view: every organization, filtered by tier and name.</summary>
    public async Task<Page<OrganizationSummary>> ListAcrossTenantsAsync(PageRequest page, SubscriptionTier? tier, string? name, CancellationToken cancellationToken)
    {
        var query = db.Organizations.IgnoreQueryFilters().AsNoTracking();
        if (tier is not null) query = query.Where(o => o.SubscriptionTier == tier);
        if (!string.IsNullOrWhiteSpace(name)) query = query.Where(o => o.Name.ToLower().Contains(name.ToLower()));
        return await query.OrderBy(o => o.Id).ToPageAsync(page, (q, after) => q.Where(o => string.Compare(o.Id, after) > 0),
            o => o.Id, o => Summary(o, null), cancellationToken);
    }

    public async Task<Result<Organization>> UpdateAsync(string id, UpdateOrganizationRequest request, Func<int, bool> ifMatch, CancellationToken cancellationToken)
    {
        var validation = new Validation().OptionalText("name", request.Name, 100).Length("timeZone", request.TimeZone, 64);
        if (request.TimeZone is not null && !IsTimeZone(request.TimeZone)) validation.Add("timeZone", "must be an IANA time zone such as Europe/Paris.");
        if (validation.Failed) return validation.ToError();
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return Error.NotFound("organization");
        if (!ifMatch(organization.Version)) return Error.Stale("organization");
        var fields = new List<string>();
        if (request.Name is not null && request.Name.Trim() != organization.Name) { organization.Name = request.Name.Trim(); fields.Add("name"); }
        if (request.TimeZone is not null && request.TimeZone != organization.TimeZone) { organization.TimeZone = request.TimeZone; fields.Add("timeZone"); }
        if (fields.Count > 0)
        {
            organization.Version++;
            organization.UpdatedAt = db.Clock.GetUtcNow();
            db.Raise(new OrganizationUpdated(organization.Id, fields));
            await db.SaveChangesAsync(cancellationToken);
        }
        return organization;
    }

    public async Task<Result<Organization>> ChangeTierAsync(string id, SubscriptionTier? tier, CancellationToken cancellationToken)
    {
        if (tier is null) return Error.Validation("subscriptionTier", "is required: free, basic, pro or enterprise.");
        var organization = await db.Organizations.IgnoreQueryFilters().FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return Error.NotFound("organization");
        if (organization.SubscriptionTier != tier)
        {
            organization.SubscriptionTier = tier.Value;
            organization.Version++;
            organization.UpdatedAt = db.Clock.GetUtcNow();
            db.Raise(new OrganizationUpdated(organization.Id, ["subscriptionTier"]));
            await db.SaveChangesAsync(cancellationToken);
        }
        return organization;
    }

    public async Task<Result<Organization>> ScheduleDeletionAsync(string id, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return Error.NotFound("organization");
        if (organization.DeletionScheduledFor is not null) return organization;
        var now = db.Clock.GetUtcNow();
        organization.DeletionRequestedAt = now;
        organization.DeletionScheduledFor = now + settings.DeletionGracePeriod;
        organization.Version++;
        db.Raise(new OrganizationDeletionScheduled(organization.Id, organization.DeletionScheduledFor.Value));
        await db.SaveChangesAsync(cancellationToken);
        return organization;
    }

    public async Task<Result<Organization>> CancelDeletionAsync(string id, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Id == id, cancellationToken);
        if (organization is null) return Error.NotFound("organization");
        if (organization.DeletionScheduledFor is null) return Error.Conflict("not_scheduled", "The organization is not scheduled for deletion.");
        organization.DeletionRequestedAt = null;
        organization.DeletionScheduledFor = null;
        organization.Version++;
        db.Raise(new OrganizationDeletionCancelled(organization.Id));
        await db.SaveChangesAsync(cancellationToken);
        return organization;
    }

    public static OrganizationSummary Summary(Organization o, Role? role) =>
        new(o.Id, o.Name, o.SubscriptionTier, o.Mrr, o.MrrCurrency, o.TimeZone, o.CreatedAt, o.DeletionScheduledFor, role);

    private static bool IsTimeZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _) && id.Contains('/') || id == "UTC";
}

internal static class MemberQueries
{
    /// <summary>Members of the current organization in joining order; keyset-pageable on <see cref="MemberRow.MembershipId"/>.</summary>
    public static IQueryable<MemberRow> Rows(AppDb db) =>
        db.Memberships.AsNoTracking()
            .Join(db.Users, m => m.UserId, u => u.Id, (m, u) => new MemberRow
            {
                MembershipId = m.Id,
                UserId = u.Id,
                OrganizationId = m.OrganizationId,
                Email = u.Email,
                Name = u.Name,
                Role = m.Role,
                JoinedAt = m.CreatedAt,
            })
            .OrderBy(r => r.MembershipId);

    public static IQueryable<MemberResponse> Members(AppDb db) => Rows(db).Select(r => r.ToResponse());
}

internal sealed class MemberRow
{
    public required string MembershipId { get; init; }
    public required string UserId { get; init; }
    public required string OrganizationId { get; init; }
    public required string Email { get; init; }
    public required string Name { get; init; }
    public Role Role { get; init; }
    public DateTimeOffset JoinedAt { get; init; }

    public MemberResponse ToResponse() => new(UserId, OrganizationId, Email, Name, Role, JoinedAt);
}
