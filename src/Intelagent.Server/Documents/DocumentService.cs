using System.Text.Json;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Intelagent.Server.Realtime.Stream;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Documents;

/// <summary>
/// Collaborative documents with a central operational-transform server (the ot.js model): a client
/// sends an operation made against the revision it last saw; the server transforms it past every
/// operation applied since, applies it, stores it as the next revision and publishes it
/// (<c>document:updated</c>). The document's revision is a concurrency token, so two nodes never apply
/// two operations as the same revision: the loser re-reads and transforms again. An acknowledged edit
/// is committed, so a restart loses none.
/// </summary>
public sealed class DocumentService(AppDb db, RealtimePublisher publisher, DocumentLocks locks)
{
    public const int MaxCatchUp = 1000;
    private const int Attempts = 8;

    public async Task<Result<DocumentResponse>> CreateAsync(string projectId, CreateDocumentRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().RequiredText("title", request.Title, 200)
            .When(request.Content is { Length: > Document.MaxLength }, "content", $"may hold at most {Document.MaxLength} characters.");
        if (validation.Failed) return validation.ToError();
        if (!await db.Projects.AnyAsync(p => p.Id == projectId, cancellationToken)) return Error.NotFound("project");
        var now = db.Clock.GetUtcNow();
        var document = new Document
        {
            Id = Id.New(IdPrefix.Document, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            ProjectId = projectId,
            Title = request.Title!.Trim(),
            CreatedByUserId = db.Request.UserId!,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Set<Document>().Add(document);
        if (request.Content is { Length: > 0 } content)
        {
            // The initial text is revision 1, so history can be replayed from the empty document.
            document.Content = content;
            document.Revision = 1;
            db.Set<DocumentOperation>().Add(new DocumentOperation
            {
                OrganizationId = document.OrganizationId,
                DocumentId = document.Id,
                Revision = 1,
                Operation = new TextOperation().InsertText(content).ToJson().GetRawText(),
                UserId = db.Request.UserId,
                CreatedAt = now,
            });
        }
        db.Audit("document.created", "document", document.Id, new { document.ProjectId, document.Title });
        await db.SaveChangesAsync(cancellationToken);
        return Describe(document);
    }

    public async Task<IReadOnlyList<DocumentSummary>> ListAsync(string projectId, CancellationToken cancellationToken) =>
        await db.Set<Document>().AsNoTracking().Where(d => d.ProjectId == projectId).OrderBy(d => d.Id)
            .Select(d => new DocumentSummary(d.Id, d.ProjectId, d.Title, d.Revision, d.Content.Length, d.CreatedByUserId, d.CreatedAt, d.UpdatedAt))
            .Take(500).ToListAsync(cancellationToken);

    public async Task<Result<DocumentResponse>> GetAsync(string id, CancellationToken cancellationToken) =>
        await db.Set<Document>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken) is { } document ? Describe(document) : Error.NotFound("document");

    public async Task<Result<DocumentResponse>> RenameAsync(string id, RenameDocumentRequest request, CancellationToken cancellationToken)
    {
        var validation = new Validation().RequiredText("title", request.Title, 200);
        if (validation.Failed) return validation.ToError();
        var document = await db.Set<Document>().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null) return Error.NotFound("document");
        var before = document.Title;
        document.Title = request.Title!.Trim();
        document.UpdatedAt = db.Clock.GetUtcNow();
        db.Audit("document.renamed", "document", id, new { before, after = document.Title });
        await db.SaveChangesAsync(cancellationToken);
        return Describe(document);
    }

    public async Task<Result<bool>> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        var document = await db.Set<Document>().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null) return Error.NotFound("document");
        if (!MayManage(document)) return Error.Forbidden("forbidden", "Only the document's creator or a project manager may delete it.");
        db.Set<Document>().Remove(document);
        db.Audit("document.deleted", "document", id, new { document.ProjectId, document.Title });
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<AppliedOperation>> SubmitAsync(string id, SubmitOperationRequest request, CancellationToken cancellationToken)
    {
        var operation = request.Operation.ValueKind == JsonValueKind.Undefined ? null : TextOperation.FromJson(request.Operation);
        var validation = new Validation().Required("revision", request.Revision?.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .When(request.Revision < 0, "revision", "must be 0 or more.")
            .When(operation is null, "operation", "must be an array of retains (n > 0), deletes (n < 0) and inserts (non-empty strings).")
            .Length("clientId", request.ClientId, 64);
        if (validation.Failed) return validation.ToError();
        return await ApplyAsync(id, request.Revision!.Value, operation!, request.ClientId, null, cancellationToken);
    }

    private async Task<Result<AppliedOperation>> ApplyAsync(string id, int baseRevision, TextOperation operation, string? clientId, int? restoredRevision, CancellationToken cancellationToken)
    {
        using var turn = await locks.EnterAsync(id, cancellationToken);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var document = await db.Set<Document>().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
            if (document is null) return Error.NotFound("document");
            if (baseRevision > document.Revision) return Error.Unprocessable("unknown_revision", $"The document is at revision {document.Revision}; revision {baseRevision} does not exist yet.");
            if (document.Revision - baseRevision > MaxCatchUp)
                return Error.Conflict("too_far_behind", $"The edit was made {document.Revision - baseRevision} revisions ago; reload the document and edit again.");
            var transformed = operation;
            var concurrent = await db.Set<DocumentOperation>().AsNoTracking().Where(o => o.DocumentId == id && o.Revision > baseRevision)
                .OrderBy(o => o.Revision).Select(o => o.Operation).ToListAsync(cancellationToken);
            try
            {
                foreach (var applied in concurrent)
                    transformed = TextOperation.Transform(transformed, TextOperation.Parse(applied)).APrime;
            }
            catch (InvalidOperationException)
            {
                return Error.Unprocessable("operation_mismatch", $"The operation does not fit the document as it was at revision {baseRevision}.");
            }
            if (transformed.BaseLength != document.Content.Length)
                return Error.Unprocessable("operation_mismatch", $"The operation spans {transformed.BaseLength} characters but the document has {document.Content.Length}.");
            if (transformed.TargetLength > Document.MaxLength) return Error.Unprocessable("document_too_long", $"A document may hold at most {Document.MaxLength} characters.");

            var now = db.Clock.GetUtcNow();
            document.Content = transformed.Apply(document.Content);
            document.Revision++;
            document.UpdatedAt = now;
            var wire = transformed.ToJson();
            db.Set<DocumentOperation>().Add(new DocumentOperation
            {
                OrganizationId = document.OrganizationId,
                DocumentId = id,
                Revision = document.Revision,
                Operation = wire.GetRawText(),
                UserId = db.Request.UserId,
                ClientId = clientId,
                RestoredRevision = restoredRevision,
                CreatedAt = now,
            });
            var result = new AppliedOperation(id, document.Revision, wire, db.Request.UserId, clientId, now, restoredRevision);
            publisher.Stage(RealtimeDraft.ForOrganization(document.OrganizationId, RealtimeEventTypes.DocumentUpdated, Permissions.DocumentsRead, result));
            try
            {
                await publisher.CommitAsync(cancellationToken);
                return result;
            }
            catch (DbUpdateException)
            {
                // Another node applied an operation as this revision first: read again and transform past it.
                db.ChangeTracker.Clear();
            }
        }
        return Error.Conflict("document_busy", "The document is being edited too fast to apply this operation; retry it.");
    }

    public async Task<Result<IReadOnlyList<AppliedOperation>>> OperationsSinceAsync(string id, int since, CancellationToken cancellationToken)
    {
        if (!await db.Set<Document>().AnyAsync(d => d.Id == id, cancellationToken)) return Error.NotFound("document");
        var rows = await db.Set<DocumentOperation>().AsNoTracking().Where(o => o.DocumentId == id && o.Revision > since)
            .OrderBy(o => o.Revision).Take(MaxCatchUp).ToListAsync(cancellationToken);
        return rows.Select(o => new AppliedOperation(id, o.Revision, JsonSerializer.Deserialize<JsonElement>(o.Operation), o.UserId, o.ClientId, o.CreatedAt, o.RestoredRevision)).ToList();
    }

    public async Task<Result<IReadOnlyList<HistoryEntry>>> HistoryAsync(string id, int? before, CancellationToken cancellationToken)
    {
        if (!await db.Set<Document>().AnyAsync(d => d.Id == id, cancellationToken)) return Error.NotFound("document");
        return await db.Set<DocumentOperation>().AsNoTracking().Where(o => o.DocumentId == id && (before == null || o.Revision < before))
            .OrderByDescending(o => o.Revision).Take(100).Select(o => new HistoryEntry(o.Revision, o.UserId, o.CreatedAt, o.RestoredRevision)).ToListAsync(cancellationToken);
    }

    /// <summary>Brings back the text of an earlier revision as a new edit, so the restore is itself in the history and undoable.</summary>
    public async Task<Result<AppliedOperation>> RestoreAsync(string id, RestoreRequest request, CancellationToken cancellationToken)
    {
        var document = await db.Set<Document>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null) return Error.NotFound("document");
        if (!MayManage(document)) return Error.Forbidden("forbidden", "Only the document's creator or a project manager may restore its history.");
        if (request.Revision is not { } target || target < 0 || target > document.Revision)
            return Error.Validation("revision", $"must be between 0 and {document.Revision}.");
        var operations = await db.Set<DocumentOperation>().AsNoTracking().Where(o => o.DocumentId == id && o.Revision <= target)
            .OrderBy(o => o.Revision).Select(o => o.Operation).ToListAsync(cancellationToken);
        var text = "";
        foreach (var operation in operations) text = TextOperation.Parse(operation).Apply(text);
        var replace = new TextOperation().DeleteChars(document.Content.Length).InsertText(text);
        db.Audit("document.restored", "document", id, new { revision = target });
        return await ApplyAsync(id, document.Revision, replace, null, target, cancellationToken);
    }

    /// <summary>Moves a cursor made at a revision to the current one and shares it (<c>cursor:updated</c>); not stored as content.</summary>
    public async Task<Result<CursorEvent>> ShareCursorAsync(string id, CursorRequest request, CancellationToken cancellationToken)
    {
        var document = await db.Set<Document>().AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, cancellationToken);
        if (document is null) return Error.NotFound("document");
        if (request.Revision is not { } revision || revision < 0 || revision > document.Revision) return Error.Validation("revision", $"must be between 0 and {document.Revision}.");
        if (document.Revision - revision > MaxCatchUp) return Error.Conflict("too_far_behind", "Reload the document first.");
        if (request.Anchor is not { } anchor || request.Head is not { } head || anchor < 0 || head < 0)
            return Error.Validation("anchor", "anchor and head must be positions of 0 or more.");
        var since = await db.Set<DocumentOperation>().AsNoTracking().Where(o => o.DocumentId == id && o.Revision > revision)
            .OrderBy(o => o.Revision).Select(o => o.Operation).ToListAsync(cancellationToken);
        foreach (var operation in since.Select(o => TextOperation.Parse(o)))
            (anchor, head) = (operation.TransformPosition(anchor), operation.TransformPosition(head));
        var cursor = new CursorEvent(id, db.Request.UserId!, document.Revision, Math.Min(anchor, document.Content.Length), Math.Min(head, document.Content.Length));
        publisher.Stage(RealtimeDraft.ForOrganization(document.OrganizationId, RealtimeEventTypes.CursorUpdated, Permissions.DocumentsRead, cursor));
        await publisher.CommitAsync(cancellationToken);
        return cursor;
    }

    private bool MayManage(Document document) =>
        document.CreatedByUserId == db.Request.UserId || db.Request.Role is { } role && RolePermissions.For(role).Contains(Permissions.ProjectsManage) && !RolePermissions.IsScopedToLedTeams(role, Permissions.ProjectsManage);

    private static DocumentResponse Describe(Document d) => new(d.Id, d.ProjectId, d.Title, d.Content, d.Revision, d.CreatedByUserId, d.CreatedAt, d.UpdatedAt);
}
