using System.Text.Json;

namespace Intelagent.Server.Documents;

public sealed record CreateDocumentRequest(string? Title, string? Content);

public sealed record RenameDocumentRequest(string? Title);

public sealed record DocumentSummary(string Id, string ProjectId, string Title, int Revision, int Length, string CreatedByUserId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record DocumentResponse(string Id, string ProjectId, string Title, string Content, int Revision, string CreatedByUserId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>An edit made against <see cref="Revision"/> (the revision the client last saw).</summary>
public sealed record SubmitOperationRequest(int? Revision, JsonElement Operation, string? ClientId);

/// <summary>The edit as the server applied it (transformed past concurrent edits) and the revision it produced.</summary>
public sealed record AppliedOperation(string DocumentId, int Revision, JsonElement Operation, string? UserId, string? ClientId, DateTimeOffset At, int? RestoredRevision = null);

public sealed record CursorRequest(int? Revision, int? Anchor, int? Head);

public sealed record CursorEvent(string DocumentId, string UserId, int Revision, int Anchor, int Head);

public sealed record RestoreRequest(int? Revision);

public sealed record HistoryEntry(int Revision, string? UserId, DateTimeOffset At, int? RestoredRevision);
