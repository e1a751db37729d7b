using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Documents;

/// <summary>Collaborative documents: the spec's /api/projects/:id/documents and /api/documents/:id, plus edits, cursors and history.</summary>
public static class DocumentsModule
{
    public static IServiceCollection AddDocuments(this IServiceCollection services)
    {
        services.AddScoped<DocumentService>();
        services.AddSingleton<DocumentLocks>();
        services.AddSingleton(new TenantOwnerLookup(IdPrefix.Document, (db, id, ct) =>
            db.Set<Document>().IgnoreQueryFilters().Where(d => d.Id == id).Select(d => d.OrganizationId).FirstOrDefaultAsync(ct)));
        return services;
    }

    public static IEndpointRouteBuilder MapDocuments(this IEndpointRouteBuilder app)
    {
        var projects = app.MapGroup("/api/projects/{id}/documents").WithTags("Documents");
        projects.MapPost("/", async (string id, CreateDocumentRequest request, DocumentService documents, CancellationToken ct) =>
                (await documents.CreateAsync(id, request, ct)).ToHttp(d => TypedResults.Created($"/api/documents/{d.Id}", d)))
            .RequirePermission(Permissions.DocumentsEdit).WithName("CreateDocument").Produces<DocumentResponse>(201).WithProblems(400, 403, 404);
        projects.MapGet("/", async (string id, DocumentService documents, CancellationToken ct) => TypedResults.Ok(await documents.ListAsync(id, ct)))
            .RequirePermission(Permissions.DocumentsRead).WithName("ListDocuments").Produces<IReadOnlyList<DocumentSummary>>().WithProblems(403, 404);

        var documents = app.MapGroup("/api/documents/{id}").WithTags("Documents");
        documents.MapGet("/", async (string id, DocumentService service, CancellationToken ct) => (await service.GetAsync(id, ct)).ToHttp(d => TypedResults.Ok(d)))
            .RequirePermission(Permissions.DocumentsRead).WithName("GetDocument")
            .WithSummary("The current text and revision: a late joiner starts here, then follows document:updated").Produces<DocumentResponse>().WithProblems(403, 404);
        documents.MapPatch("/", async (string id, RenameDocumentRequest request, DocumentService service, CancellationToken ct) => (await service.RenameAsync(id, request, ct)).ToHttp(d => TypedResults.Ok(d)))
            .RequirePermission(Permissions.DocumentsEdit).WithName("RenameDocument").Produces<DocumentResponse>().WithProblems(400, 403, 404);
        documents.MapDelete("/", async (string id, DocumentService service, CancellationToken ct) => (await service.DeleteAsync(id, ct)).ToHttp(_ => TypedResults.NoContent()))
            .RequirePermission(Permissions.DocumentsEdit).WithName("DeleteDocument").Produces(204).WithProblems(403, 404);
        documents.MapPost("/operations", async (string id, SubmitOperationRequest request, DocumentService service, CancellationToken ct) => (await service.SubmitAsync(id, request, ct)).ToHttp(o => TypedResults.Ok(o)))
            .RequirePermission(Permissions.DocumentsEdit).WithName("SubmitDocumentOperation")
            .WithSummary("An edit made at a revision: transformed past concurrent edits, applied, answered and published as document:updated")
            .Produces<AppliedOperation>().WithProblems(400, 403, 404, 409, 422);
        documents.MapGet("/operations", async (string id, int? since, DocumentService service, CancellationToken ct) => (await service.OperationsSinceAsync(id, since ?? 0, ct)).ToHttp(o => TypedResults.Ok(o)))
            .RequirePermission(Permissions.DocumentsRead).WithName("ListDocumentOperations").Produces<IReadOnlyList<AppliedOperation>>().WithProblems(403, 404);
        documents.MapPost("/cursor", async (string id, CursorRequest request, DocumentService service, CancellationToken ct) => (await service.ShareCursorAsync(id, request, ct)).ToHttp(c => TypedResults.Ok(c)))
            .RequirePermission(Permissions.DocumentsRead).WithName("ShareDocumentCursor").Produces<CursorEvent>().WithProblems(400, 403, 404, 409);
        documents.MapGet("/history", async (string id, int? before, DocumentService service, CancellationToken ct) => (await service.HistoryAsync(id, before, ct)).ToHttp(h => TypedResults.Ok(h)))
            .RequirePermission(Permissions.DocumentsRead).WithName("DocumentHistory").Produces<IReadOnlyList<HistoryEntry>>().WithProblems(403, 404);
        documents.MapPost("/restore", async (string id, RestoreRequest request, DocumentService service, CancellationToken ct) => (await service.RestoreAsync(id, request, ct)).ToHttp(o => TypedResults.Ok(o)))
            .RequirePermission(Permissions.DocumentsEdit).WithName("RestoreDocument").Produces<AppliedOperation>().WithProblems(400, 403, 404, 409, 422);
        return app;
    }
}
