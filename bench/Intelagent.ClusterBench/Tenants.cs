using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Intelagent.ClusterBench;

/// <summary>One organization the workload acts for: its owner's token, a metered API key, its projects.</summary>
public sealed record Tenant(string OrganizationId, string OwnerToken, string ApiKey, IReadOnlyList<string> ProjectIds);

/// <summary>
/// Creates the tenants through the public API, as customers would: register an owner, create projects
/// and an API key; the operator lifts the organization's rate limits so that the bench measures the
/// platform, not the plan (a 429 would be a fast answer and flatter the figures).
/// </summary>
public static class Tenants
{
    public static async Task<IReadOnlyList<Tenant>> CreateAsync(HttpClient http, int count, int projectsEach, string operatorEmail, string operatorPassword)
    {
        var operatorToken = await TokenAsync(await http.PostAsJsonAsync("/api/auth/login", new { email = operatorEmail, password = operatorPassword }));
        var tenants = new List<Tenant>();
        for (var i = 0; i < count; i++)
        {
            var suffix = Guid.NewGuid().ToString("N")[..8];
            using var registered = await http.PostAsJsonAsync("/api/auth/register",
                new { email = $"bench-{suffix}@bench.test", password = "Bench-password-2026", name = $"Bench Owner {i}", organizationName = $"Bench {i} {suffix}" });
            var body = await ReadAsync(registered);
            var token = body.GetProperty("token").GetString()!;
            var organizationId = body.GetProperty("user").GetProperty("organizationId").GetString()!;

            // Enterprise: 200 requests of one organization in flight per node, so the workers never meet the
            // free tier's concurrency limit (10) either.
            await SendAsync(http, HttpMethod.Patch, $"/api/admin/organizations/{organizationId}/tier", operatorToken, new { subscriptionTier = "enterprise" });
            await SendAsync(http, HttpMethod.Put, $"/api/admin/organizations/{organizationId}/limits", operatorToken,
                new { apiCallsPerDay = 1_000_000_000L, ratePerMinute = 1_000_000, burst = 10_000_000, projects = 1_000 });
            var projects = new List<string>();
            for (var p = 0; p < projectsEach; p++)
            {
                var project = await SendAsync(http, HttpMethod.Post, $"/api/organizations/{organizationId}/projects", token,
                    new { name = $"Project {p}", description = "bench" });
                projects.Add(project.GetProperty("id").GetString()!);
            }
            var key = await SendAsync(http, HttpMethod.Post, "/api/security/api-keys", token,
                new { name = "bench", permissions = new[] { "projects.read" } }, organizationId);
            tenants.Add(new Tenant(organizationId, token, key.GetProperty("secret").GetString()!, projects));
        }
        return tenants;
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, string token, object body, string? organizationId = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (organizationId is not null) request.Headers.Add("X-Organization-Id", organizationId);
        using var response = await http.SendAsync(request);
        return await ReadAsync(response);
    }

    private static async Task<string> TokenAsync(HttpResponseMessage response)
    {
        using (response) return (await ReadAsync(response)).GetProperty("token").GetString()!;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.AbsolutePath} answered {(int)response.StatusCode}: {text[..Math.Min(text.Length, 400)]}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
