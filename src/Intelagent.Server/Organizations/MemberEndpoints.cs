using Intelagent.Server.Identity.ApiKeys;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;

namespace Intelagent.Server.Organizations;

/// <summary>Members, invitations and ownership.</summary>
public static class MemberEndpoints
{
    public static IEndpointRouteBuilder MapMemberEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/organizations/{orgId}").WithTags("Members");
        group.MapGet("/members", ListAsync).RequirePermission(Permissions.MembersRead).WithName("ListMembers")
            .Produces<Page<MemberResponse>>().WithProblems(400, 404);
        group.MapPatch("/members/{userId}", ChangeRoleAsync).RequirePermission(Permissions.MembersUpdateRole).WithName("ChangeMemberRole")
            .Produces<MemberResponse>().WithProblems(400, 403, 404, 409, 422);
        group.MapDelete("/members/{userId}", RemoveAsync).RequirePermission(Permissions.MembersRemove).WithName("RemoveMember")
            .Produces(204).WithProblems(403, 404, 409);
        group.MapPost("/leave", LeaveAsync).RequirePermission(Permissions.OrganizationRead).RefuseApiKeys().WithName("LeaveOrganization")
            .Produces(204).WithProblems(404, 409);
        group.MapPost("/transfer-ownership", TransferAsync).RequirePermission(Permissions.OrganizationTransfer).WithName("TransferOwnership")
            .Produces(204).WithProblems(400, 403, 404, 409);
        group.MapGet("/invitations", ListInvitationsAsync).RequirePermission(Permissions.MembersRead).WithName("ListInvitations")
            .Produces<Page<InvitationResponse>>().WithProblems(400, 404);
        group.MapPost("/invitations", InviteAsync).RequirePermission(Permissions.MembersInvite).WithName("InviteMember")
            .WithSummary("Invite by email; the single-use link is emailed and returned").Produces<InvitationResponse>(201).WithProblems(400, 403, 404, 409, 422);
        group.MapDelete("/invitations/{invitationId}", RevokeInvitationAsync).RequirePermission(Permissions.MembersInvite).WithName("RevokeInvitation")
            .Produces(204).WithProblems(404, 409);

        app.MapPost("/api/invitations/accept", AcceptAsync).AllowAnonymous().WithTags("Members").WithName("AcceptInvitation")
            .WithSummary("Accept signed in as the invited email, or create the account with name and password")
            .Produces<AcceptInvitationResponse>().WithProblems(400, 403, 409);
        return app;
    }

    private static async Task<IResult> ListAsync(int? limit, string? cursor, MemberService members, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await members.ListAsync(page.Value!, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> ChangeRoleAsync(string userId, ChangeRoleRequest request, MemberService members, CancellationToken cancellationToken) =>
        (await members.ChangeRoleAsync(userId, request.Role, cancellationToken)).ToHttp(m => TypedResults.Ok(m));

    private static async Task<IResult> RemoveAsync(string userId, MemberService members, CancellationToken cancellationToken) =>
        (await members.RemoveAsync(userId, cancellationToken)).NoContentOr();

    private static async Task<IResult> LeaveAsync(MemberService members, CancellationToken cancellationToken) =>
        (await members.LeaveAsync(cancellationToken)).NoContentOr();

    private static async Task<IResult> TransferAsync(TransferOwnershipRequest request, MemberService members, CancellationToken cancellationToken) =>
        (await members.TransferOwnershipAsync(request.UserId, cancellationToken)).NoContentOr();

    private static async Task<IResult> ListInvitationsAsync(int? limit, string? cursor, InvitationService invitations, CancellationToken cancellationToken)
    {
        var page = PageRequest.From(limit, cursor);
        return page.IsSuccess ? TypedResults.Ok(await invitations.ListAsync(page.Value!, cancellationToken)) : page.Error!.ToResult();
    }

    private static async Task<IResult> InviteAsync(string orgId, InviteRequest request, InvitationService invitations, CancellationToken cancellationToken) =>
        (await invitations.InviteAsync(request, cancellationToken)).ToHttp(i => TypedResults.Created($"/api/organizations/{orgId}/invitations/{i.Id}", i));

    private static async Task<IResult> RevokeInvitationAsync(string invitationId, InvitationService invitations, CancellationToken cancellationToken) =>
        (await invitations.RevokeAsync(invitationId, cancellationToken)).NoContentOr();

    private static async Task<IResult> AcceptAsync(AcceptInvitationRequest request, InvitationService invitations, CancellationToken cancellationToken) =>
        (await invitations.AcceptAsync(request, cancellationToken)).ToHttp(a => TypedResults.Ok(a));
}
