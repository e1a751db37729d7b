using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Documents;
using Intelagent.Server.Realtime.Stream;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Documents;

public sealed class DocumentTestsOnSqlite(SqliteApp app) : DocumentTests<SqliteApp>(app);
public sealed class DocumentTestsOnPostgres(PostgresApp app) : DocumentTests<PostgresApp>(app);

public abstract class DocumentTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    private async Task<(Account Owner, string DocumentId)> DocumentAsync(string content = "Hello world")
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var project = await client.PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name = "Docs " + Guid.NewGuid().ToString("N")[..6] });
        await Api.ExpectAsync(project, HttpStatusCode.Created);
        var projectId = (await project.JsonAsync()).GetProperty("id").GetString();
        var created = await client.PostAsJsonAsync($"/api/projects/{projectId}/documents", new { title = "Plan", content });
        await Api.ExpectAsync(created, HttpStatusCode.Created);
        return (owner, (await created.JsonAsync()).GetProperty("id").GetString()!);
    }

    private static object Op(TextOperation operation) => operation.ToJson();

    [Fact]
    public async Task Operations_MadeAtTheSameRevision_ShouldBothApplyTransformed()
    {
        var (owner, id) = await DocumentAsync("Hello world");
        var client = app.WithToken(owner.Token);

        var first = await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = 1, operation = Op(new TextOperation().RetainChars(5).InsertText(",").RetainChars(6)) });
        var second = await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = 1, operation = Op(new TextOperation().RetainChars(11).InsertText("!")) });

        await Api.ExpectAsync(first, HttpStatusCode.OK);
        await Api.ExpectAsync(second, HttpStatusCode.OK);
        Assert.Equal(3, (await second.JsonAsync()).GetProperty("revision").GetInt32());
        var document = await (await client.GetAsync($"/api/documents/{id}")).JsonAsync();
        Assert.Equal("Hello, world!", document.GetProperty("content").GetString());
        Assert.Equal(3, document.GetProperty("revision").GetInt32());
        Assert.Equal(2, await app.WithDbAsync(db => db.Set<RealtimeEvent>().IgnoreQueryFilters().CountAsync(e => e.OrganizationId == owner.OrganizationId && e.Type == "document:updated")));
    }

    /// <summary>Eight editors over HTTP at once, each an ot.js client catching up through /operations: all end with the server's text.</summary>
    [Fact]
    public async Task EightConcurrentEditors_ShouldEndWithIdenticalText()
    {
        var (owner, id) = await DocumentAsync("The quick brown fox");
        var editors = await Task.WhenAll(Enumerable.Range(0, 8).Select(async n =>
        {
            var client = app.WithToken(owner.Token);
            var random = new Random(n);
            var clientId = $"editor-{n}";
            var state = new OtClient("The quick brown fox", 1);
            for (var round = 0; round < 6; round++)
            {
                var sent = state.ApplyClient(OtClient.RandomEdit(state.Text, random))!;
                var response = await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = state.Revision, operation = Op(sent), clientId });
                await Api.ExpectAsync(response, HttpStatusCode.OK);
                await CatchUpAsync(client, id, state, clientId);
            }
            return state;
        }));
        foreach (var editor in editors) await CatchUpAsync(app.WithToken(owner.Token), id, editor, "none");

        var server = (await (await app.WithToken(owner.Token).GetAsync($"/api/documents/{id}")).JsonAsync()).GetProperty("content").GetString();
        Assert.All(editors, e => Assert.Equal(server, e.Text));
        Assert.Equal(1 + 8 * 6, editors[0].Revision);
    }

    /// <summary>Applies what the server holds past the editor's revision: others' operations, and the acknowledgement of its own.</summary>
    private static async Task CatchUpAsync(HttpClient client, string id, OtClient state, string clientId)
    {
        var operations = await (await client.GetAsync($"/api/documents/{id}/operations?since={state.Revision}")).JsonAsync();
        foreach (var operation in operations.EnumerateArray())
        {
            if (operation.GetProperty("clientId").GetString() == clientId && state.Outstanding is not null) state.ServerAck();
            else state.ApplyServer(TextOperation.FromJson(operation.GetProperty("operation"))!);
        }
    }

    [Fact]
    public async Task Restore_ShouldBringBackAnEarlierRevisionAsANewEdit()
    {
        var (owner, id) = await DocumentAsync("version one");
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = 1, operation = Op(new TextOperation().DeleteChars(11).InsertText("version two")) }), HttpStatusCode.OK);

        var restored = await client.PostAsJsonAsync($"/api/documents/{id}/restore", new { revision = 1 });

        await Api.ExpectAsync(restored, HttpStatusCode.OK);
        var document = await (await client.GetAsync($"/api/documents/{id}")).JsonAsync();
        Assert.Equal("version one", document.GetProperty("content").GetString());
        var history = await (await client.GetAsync($"/api/documents/{id}/history")).JsonAsync();
        Assert.Equal(1, history[0].GetProperty("restoredRevision").GetInt32());
        Assert.Equal(3, history.GetArrayLength());
    }

    [Fact]
    public async Task Restore_ByAMemberWhoDidNotCreateIt_ShouldAnswer403()
    {
        var (owner, id) = await DocumentAsync();
        var member = await app.AddMemberAsync(owner, "member");

        await Api.ExpectProblemAsync(await app.WithToken(member.Token).PostAsJsonAsync($"/api/documents/{id}/restore", new { revision = 0 }), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Cursor_MadeAtAnOldRevision_ShouldMovePastLaterEdits()
    {
        var (owner, id) = await DocumentAsync("abcdef");
        var client = app.WithToken(owner.Token);
        await Api.ExpectAsync(await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = 1, operation = Op(new TextOperation().InsertText("XY").RetainChars(6)) }), HttpStatusCode.OK);

        var cursor = await (await client.PostAsJsonAsync($"/api/documents/{id}/cursor", new { revision = 1, anchor = 3, head = 4 })).JsonAsync();

        Assert.Equal(5, cursor.GetProperty("anchor").GetInt32());
        Assert.Equal(6, cursor.GetProperty("head").GetInt32());
        Assert.Equal(2, cursor.GetProperty("revision").GetInt32());
    }

    [Fact]
    public async Task BadOperations_ShouldAnswerProblemsAndChangeNothing()
    {
        var (owner, id) = await DocumentAsync("abc");
        var client = app.WithToken(owner.Token);

        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = 1, operation = new object[] { 0, "" } }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = 1, operation = new object[] { 10 } }), HttpStatusCode.UnprocessableEntity, "operation_mismatch");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { revision = 9, operation = new object[] { 3 } }), HttpStatusCode.UnprocessableEntity, "unknown_revision");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync($"/api/documents/{id}/operations", new { operation = new object[] { 3 } }), HttpStatusCode.BadRequest, "validation_failed");

        var document = await (await client.GetAsync($"/api/documents/{id}")).JsonAsync();
        Assert.Equal("abc", document.GetProperty("content").GetString());
        Assert.Equal(1, document.GetProperty("revision").GetInt32());
    }
}
