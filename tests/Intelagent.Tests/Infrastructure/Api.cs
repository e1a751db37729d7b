using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Intelagent.Tests.Infrastructure;

public sealed record Account(string Token, string UserId, string OrganizationId, string Email, string Password);

/// <summary>Small helpers that drive the API the way a client would.</summary>
public static class Api
{
    public const string Password = "correct-horse-battery";

    public static string UniqueEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.test";

    public static async Task<Account> RegisterAsync(this TestApp app, string? email = null, string organizationName = "Acme")
    {
        email ??= UniqueEmail();
        var response = await app.Anonymous().PostAsJsonAsync("/api/auth/register", new { email, password = Password, name = "Test User", organizationName });
        await ExpectAsync(response, HttpStatusCode.Created);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var user = body.GetProperty("user");
        return new Account(body.GetProperty("token").GetString()!, user.GetProperty("id").GetString()!, user.GetProperty("organizationId").GetString()!, email, Password);
    }

    public static async Task<string> LoginAsync(this TestApp app, string email, string password)
    {
        var response = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password });
        await ExpectAsync(response, HttpStatusCode.OK);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    /// <summary>Invites a new person with <paramref name="role"/> and accepts as them (creating the account).</summary>
    public static async Task<Account> AddMemberAsync(this TestApp app, Account inviter, string role, string? organizationId = null)
    {
        organizationId ??= inviter.OrganizationId;
        var email = UniqueEmail(role);
        var invite = await app.WithToken(inviter.Token).PostAsJsonAsync($"/api/organizations/{organizationId}/invitations", new { email, role });
        await ExpectAsync(invite, HttpStatusCode.Created);
        var token = (await invite.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString();
        var accept = await app.Anonymous().PostAsJsonAsync("/api/invitations/accept", new { token, name = $"{role} person", password = Password });
        await ExpectAsync(accept, HttpStatusCode.OK);
        var body = await accept.Content.ReadFromJsonAsync<JsonElement>();
        return new Account(body.GetProperty("token").GetString()!, body.GetProperty("userId").GetString()!, organizationId, email, Password);
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
            Assert.Fail($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)status}, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>Asserts an RFC 7807 problem with this status and code, a title and a trace id.</summary>
    public static async Task<JsonElement> ExpectProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? code = null)
    {
        await ExpectAsync(response, status);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("traceId").GetString()));
        if (code is not null) Assert.Equal(code, problem.GetProperty("code").GetString());
        return problem;
    }

    public static Task<HttpResponseMessage> PatchAsJsonAsync<T>(this HttpClient client, string url, T body) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body) });
}
