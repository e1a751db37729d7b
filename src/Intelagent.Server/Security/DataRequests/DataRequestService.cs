using System.Text.Json;
using Intelagent.Server.Identity;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Security.Audit;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.DataRequests;

public sealed record CreateDataRequest(string? Type, string? SubjectEmail);

public sealed record DataRequestResponse(
    string Id, string Type, string Status, string? SubjectUserId, string? RequestedByUserId, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt,
    IReadOnlyDictionary<string, int> Summary, string? DownloadUrl);

/// <summary>
/// Answers data requests at once, in one transaction: an export collects every registered handler's
/// section; a deletion runs every handler's erasure in order. Both are audited without naming the person.
/// </summary>
public sealed class DataRequestService(AppDb db, IEnumerable<IPersonalDataHandler> handlers, AuditChainKey key, MembershipCache memberships)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public async Task<Result<DataRequestResponse>> CreateAsync(CreateDataRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation();
        DataRequestType? type = request.Type?.Trim().ToLowerInvariant() switch { "export" => DataRequestType.Export, "delete" => DataRequestType.Delete, _ => null };
        validation.When(type is null, "type", "must be export or delete.");
        var email = request.SubjectEmail?.Trim() ?? "";
        validation.When(email.Length is < 3 or > 320 || !email.Contains('@') || email.Any(char.IsWhiteSpace), "subjectEmail", "must be an email address.");
        if (validation.Failed) return validation.ToError();

        var organizationId = db.Request.OrganizationId!;
        var subject = await ResolveAsync(organizationId, email, cancellationToken);
        if (type == DataRequestType.Delete && subject.UserId is { } userId)
        {
            if (userId == db.Request.UserId) return Error.Conflict("cannot_erase_yourself", "You cannot erase yourself from the organization you act for; ask another admin.");
            if (await db.Memberships.AnyAsync(m => m.UserId == userId && m.Role == Role.Owner, cancellationToken)
                && await db.Memberships.CountAsync(m => m.Role == Role.Owner, cancellationToken) == 1)
                return Error.Conflict("last_owner", "The person is the organization's only owner: transfer ownership first.");
        }

        var now = db.Clock.GetUtcNow();
        var dataRequest = new DataRequest
        {
            Id = Id.New(IdPrefix.DataRequest, db.Clock),
            OrganizationId = organizationId,
            Type = type!.Value,
            Status = DataRequestStatus.Pending,
            SubjectDigest = key.Digest("data_subject", User.Normalize(email))!,
            SubjectUserId = subject.UserId,
            RequestedByUserId = db.Request.UserId,
            CreatedAt = now,
        };
        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var summary = new Dictionary<string, int>();
            if (dataRequest.Type == DataRequestType.Export)
            {
                var sections = new Dictionary<string, object?>();
                foreach (var handler in handlers.OrderBy(h => h.Order))
                    sections[handler.Section] = await handler.ExportAsync(subject, cancellationToken);
                dataRequest.ExportJson = JsonSerializer.Serialize(new { subject = new { email, userId = subject.UserId }, organizationId, generatedAt = now, sections }, Json);
                foreach (var (section, value) in sections) summary[section] = value is System.Collections.ICollection list ? list.Count : value is null ? 0 : 1;
            }
            else
            {
                foreach (var handler in handlers.OrderBy(h => h.Order))
                    summary[handler.Section] = await handler.EraseAsync(subject, cancellationToken);
            }
            dataRequest.Status = DataRequestStatus.Completed;
            dataRequest.CompletedAt = db.Clock.GetUtcNow();
            dataRequest.Summary = JsonSerializer.Serialize(summary);
            db.Set<DataRequest>().Add(dataRequest);
            var facts = new { type = dataRequest.Type.ToString().ToLowerInvariant(), subjectUserId = subject.UserId, accountErased = dataRequest.Type == DataRequestType.Delete && subject.EraseAccount, rows = summary };
            db.Audit("data_request.completed", "data_request", dataRequest.Id, facts);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        });
        if (dataRequest.Type == DataRequestType.Delete && subject.UserId is { } erased)
        {
            memberships.Forget(erased, organizationId);
            memberships.ForgetOrganizationsOf(erased);
        }
        return Describe(dataRequest);
    }

    public async Task<Page<DataRequestResponse>> ListAsync(PageRequest page, CancellationToken cancellationToken) =>
        await db.Set<DataRequest>().AsNoTracking().OrderByDescending(r => r.Id)
            .ToPageAsync(page, (q, after) => q.Where(r => string.Compare(r.Id, after) < 0), r => r.Id, Describe, cancellationToken);

    public async Task<DataRequestResponse?> GetAsync(string id, CancellationToken cancellationToken) =>
        await db.Set<DataRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken) is { } found ? Describe(found) : null;

    /// <summary>The export bundle; reading it is audited like any export of personal data.</summary>
    public async Task<Result<string>> DownloadAsync(string id, CancellationToken cancellationToken)
    {
        var found = await db.Set<DataRequest>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (found is null) return Error.NotFound("data request");
        if (found.Type != DataRequestType.Export) return Error.Conflict("not_an_export", "Only an export request has a bundle to download.");
        if (found.ExportJson is null) return Error.Conflict("bundle_erased", "The bundle was erased by a later deletion request about the same person.");
        db.Audit("data_request.downloaded", "data_request", id);
        await db.SaveChangesAsync(cancellationToken);
        return found.ExportJson;
    }

    private async Task<PersonalDataSubject> ResolveAsync(string organizationId, string email, CancellationToken cancellationToken)
    {
        var normalized = User.Normalize(email);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        var isMember = user is not null && await db.Memberships.AnyAsync(m => m.UserId == user.Id, cancellationToken);
        var elsewhere = user is not null && await db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.UserId == user.Id && m.OrganizationId != organizationId, cancellationToken);
        var traces = new[] { email, email.ToLowerInvariant(), normalized, user?.Email, user?.Name is { Length: >= 5 } name ? name : null }
            .OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var pseudonym = "erased-" + key.Digest("data_subject", normalized)![..12];
        return new PersonalDataSubject(organizationId, email, user?.Id, user?.Name, isMember, isMember && !elsewhere && user is { IsPlatformOperator: false }, pseudonym)
        {
            Traces = traces,
        };
    }

    private static DataRequestResponse Describe(DataRequest r) => new(
        r.Id, r.Type.ToString().ToLowerInvariant(), r.Status.ToString().ToLowerInvariant(), r.SubjectUserId, r.RequestedByUserId, r.CreatedAt, r.CompletedAt,
        r.Summary is null ? new Dictionary<string, int>() : JsonSerializer.Deserialize<Dictionary<string, int>>(r.Summary)!,
        r.Type == DataRequestType.Export && r.ExportJson is not null ? $"/api/security/data-requests/{r.Id}/download" : null);
}
