using System.Net.Http.Json;
using Intelagent.Tests.Infrastructure;
using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Collaborative documents of projects.</summary>
public static class DocumentRows
{
    private static async Task<string> OwnersProjectAsync(World w)
    {
        var response = await w.App.WithToken(w.Owner.Token).PostAsJsonAsync($"/api/organizations/{w.Org}/projects", new { name = Unique("Project") });
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>A fresh document the owner created, so one caller's delete never spoils the next caller's request.</summary>
    private static async Task<string> OwnersDocumentAsync(World w)
    {
        var response = await w.App.WithToken(w.Owner.Token).PostAsJsonAsync($"/api/projects/{await OwnersProjectAsync(w)}/documents", new { title = Unique("Doc"), content = "abc" });
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>Deleting and restoring belong to the creator (the owner here) and to admins; members and managers are refused.</summary>
    private static readonly Dictionary<Caller, int> CreatorOrAdmin = new() { [Caller.Member] = 403, [Caller.Manager] = 403 };

    public static readonly Row[] All =
    [
        R(Post, "/api/projects/{id}/documents", DocumentsEdit, async (w, c) => w.Request(c, Post, $"/api/projects/{await OwnersProjectAsync(w)}/documents", new { title = Unique("Doc") })),
        R(Get, "/api/projects/{id}/documents", DocumentsRead, async (w, c) => w.Request(c, Get, $"/api/projects/{await OwnersProjectAsync(w)}/documents")),
        R(Get, "/api/documents/{id}", DocumentsRead, async (w, c) => w.Request(c, Get, $"/api/documents/{await OwnersDocumentAsync(w)}")),
        R(Patch, "/api/documents/{id}", DocumentsEdit, async (w, c) => w.Request(c, Patch, $"/api/documents/{await OwnersDocumentAsync(w)}", new { title = "Renamed" })),
        R(Delete, "/api/documents/{id}", DocumentsEdit, async (w, c) => w.Request(c, Delete, $"/api/documents/{await OwnersDocumentAsync(w)}")) with { Overrides = CreatorOrAdmin },
        R(Post, "/api/documents/{id}/operations", DocumentsEdit, async (w, c) => w.Request(c, Post, $"/api/documents/{await OwnersDocumentAsync(w)}/operations", new { revision = 1, operation = new object[] { 3, "!" } })),
        R(Get, "/api/documents/{id}/operations", DocumentsRead, async (w, c) => w.Request(c, Get, $"/api/documents/{await OwnersDocumentAsync(w)}/operations?since=0")),
        R(Post, "/api/documents/{id}/cursor", DocumentsRead, async (w, c) => w.Request(c, Post, $"/api/documents/{await OwnersDocumentAsync(w)}/cursor", new { revision = 1, anchor = 1, head = 2 })),
        R(Get, "/api/documents/{id}/history", DocumentsRead, async (w, c) => w.Request(c, Get, $"/api/documents/{await OwnersDocumentAsync(w)}/history")),
        R(Post, "/api/documents/{id}/restore", DocumentsEdit, async (w, c) => w.Request(c, Post, $"/api/documents/{await OwnersDocumentAsync(w)}/restore", new { revision = 0 })) with { Overrides = CreatorOrAdmin },
    ];
}
