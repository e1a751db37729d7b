using System.Net.Http.Headers;
using System.Net.Http.Json;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Realtime;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Isolation;

/// <summary>Who calls: nobody, a member of another organization, the operator, or one of the five roles.</summary>
public enum Caller
{
    Anonymous,
    Foreign,
    Operator,
    Viewer,
    Member,
    Manager,
    Admin,
    Owner,
}

/// <summary>
/// One organization with a member of every role, a second organization, and the operator. Built
/// fresh for every row of the matrix, so destructive calls in one row cannot affect another.
/// </summary>
public sealed class World
{
    public required TestApp App { get; init; }
    public required Account Owner { get; init; }
    public required Account Admin { get; init; }
    public required Account Manager { get; init; }
    public required Account Member { get; init; }
    public required Account Viewer { get; init; }
    public required Account Foreign { get; init; }
    public required string OperatorToken { get; init; }
    public string Org => Owner.OrganizationId;

    public static async Task<World> CreateAsync(TestApp app)
    {
        var owner = await app.RegisterAsync();
        return new World
        {
            App = app,
            Owner = owner,
            Admin = await app.AddMemberAsync(owner, "admin"),
            Manager = await app.AddMemberAsync(owner, "manager"),
            Member = await app.AddMemberAsync(owner, "member"),
            Viewer = await app.AddMemberAsync(owner, "viewer"),
            Foreign = await app.RegisterAsync(organizationName: "Other tenant"),
            OperatorToken = await app.LoginAsync(TestApp.Operator.Email, TestApp.Operator.Password),
        };
    }

    public string? TokenOf(Caller caller) => caller switch
    {
        Caller.Anonymous => null,
        Caller.Foreign => Foreign.Token,
        Caller.Operator => OperatorToken,
        Caller.Viewer => Viewer.Token,
        Caller.Member => Member.Token,
        Caller.Manager => Manager.Token,
        Caller.Admin => Admin.Token,
        _ => Owner.Token,
    };

    public string? UserIdOf(Caller caller) => caller switch
    {
        Caller.Foreign => Foreign.UserId,
        Caller.Viewer => Viewer.UserId,
        Caller.Member => Member.UserId,
        Caller.Manager => Manager.UserId,
        Caller.Admin => Admin.UserId,
        Caller.Owner => Owner.UserId,
        _ => null,
    };

    public HttpRequestMessage Request(Caller caller, HttpMethod method, string url, object? body = null, bool organizationHeader = false)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = JsonContent.Create(body);
        if (TokenOf(caller) is { } token) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (organizationHeader) request.Headers.Add("X-Organization-Id", Org);
        return request;
    }

    public async Task<string> CreateAsync(Account actor, string url, object body)
    {
        var response = await App.WithToken(actor.Token).PostAsJsonAsync(url, body);
        await Api.ExpectAsync(response, System.Net.HttpStatusCode.Created);
        return (await response.JsonAsync()).GetProperty("id").GetString()!;
    }

    /// <summary>A team the manager created, so the manager leads it.</summary>
    public Task<string> ManagersTeamAsync() => CreateAsync(Manager, $"/api/organizations/{Org}/teams", new { name = "Team " + Guid.NewGuid().ToString("N")[..8] });

    public async Task<string> ManagersProjectAsync() =>
        await CreateAsync(Manager, $"/api/organizations/{Org}/projects", new { name = "Project " + Guid.NewGuid().ToString("N")[..8], teamId = await ManagersTeamAsync() });

    public async Task<string> NotificationForAsync(Caller caller)
    {
        var userId = UserIdOf(caller) ?? Owner.UserId;
        return await App.WithDbAsync(async db =>
        {
            var id = Id.New(IdPrefix.Notification, TimeProvider.System);
            db.Notifications.Add(new Notification { Id = id, OrganizationId = Org, UserId = userId, Type = "test", Title = "Hello", CreatedAt = DateTimeOffset.UnixEpoch });
            await db.SaveChangesAsync();
            return id;
        }, Org);
    }
}

/// <summary>
/// One route of the API: what it requires, and how to build a valid request for a caller (creating
/// a fresh target when the call would consume it). <see cref="Permission"/> is written out here on
/// purpose, so a changed declaration on the endpoint fails the matrix.
/// </summary>
public sealed record Row(string Method, string Pattern, string Access, Func<World, Caller, Task<HttpRequestMessage>> Build)
{
    public const string SignedIn = "signed-in";
    public const string Anonymous = "anonymous";

    /// <summary>Business outcomes that follow authorization for some callers (e.g. the owner cannot leave: 409).</summary>
    public IReadOnlyDictionary<Caller, int> Overrides { get; init; } = new Dictionary<Caller, int>();

    public string? Permission => Access is SignedIn or Anonymous ? null : Access;

    public override string ToString() => $"{Method} {Pattern}";
}
