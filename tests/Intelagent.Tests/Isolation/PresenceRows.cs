using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Presence: who is online in the organization in context, who is in a document, and the editor's heartbeat.</summary>
public static class PresenceRows
{
    private static async Task<string> OwnersDocumentAsync(World w)
    {
        var project = await w.App.WithToken(w.Owner.Token).PostAsJsonAsync($"/api/organizations/{w.Org}/projects", new { name = Unique("Project") });
        await Api.ExpectAsync(project, System.Net.HttpStatusCode.Created);
        var projectId = (await project.JsonAsync()).GetProperty("id").GetString();
        var document = await w.App.WithToken(w.Owner.Token).PostAsJsonAsync($"/api/projects/{projectId}/documents", new { title = Unique("Doc") });
        await Api.ExpectAsync(document, System.Net.HttpStatusCode.Created);
        return (await document.JsonAsync()).GetProperty("id").GetString()!;
    }

    public static readonly Row[] All =
    [
        R(Get, "/api/presence", MembersRead, _ => "/api/presence", header: true),
        R(Get, "/api/documents/{id}/presence", DocumentsRead, async (w, c) => w.Request(c, Get, $"/api/documents/{await OwnersDocumentAsync(w)}/presence")),
        R(Put, "/api/documents/{id}/presence", DocumentsRead, async (w, c) => w.Request(c, Put, $"/api/documents/{await OwnersDocumentAsync(w)}/presence", new { clientId = "tab-1" })),
        R(Delete, "/api/documents/{id}/presence", DocumentsRead, async (w, c) => w.Request(c, Delete, $"/api/documents/{await OwnersDocumentAsync(w)}/presence?clientId=tab-1")),
    ];
}
