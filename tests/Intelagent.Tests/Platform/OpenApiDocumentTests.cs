using System.Text.Json;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Platform;

public sealed class OpenApiDocumentTestsOnSqlite(SqliteApp app) : OpenApiDocumentTests<SqliteApp>(app);
public sealed class OpenApiDocumentTestsOnPostgres(PostgresApp app) : OpenApiDocumentTests<PostgresApp>(app);

/// <summary>
/// The responses the pipeline adds to operations by what their routes declare
/// (<c>PlatformResponsesTransformer</c>); the fuzz test checks that every answer is declared, these
/// pin down that each kind of operation gets its own set and no other.
/// </summary>
public abstract class OpenApiDocumentTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task EveryApiOperation_ShouldDeclare400And503_AsProblemsOfTheSharedSchema()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");
        var operations = paths.EnumerateObject().Where(p => p.Name.StartsWith("/api/", StringComparison.Ordinal))
            .SelectMany(p => p.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "patch" or "delete").Select(o => (Name: $"{o.Name} {p.Name}", Operation: o.Value)))
            .ToList();
        Assert.True(operations.Count > 150);
        var failures = new List<string>();
        foreach (var (name, operation) in operations)
        {
            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { "400", "503" })
            {
                if (!responses.TryGetProperty(status, out var response)) failures.Add($"{name}: no {status}");
                else if (ProblemSchema(response) is not "#/components/schemas/ProblemDetails" and not "#/components/schemas/HttpValidationProblemDetails")
                    failures.Add($"{name}: {status} is not a ProblemDetails problem ({response})");
            }
            if (responses.TryGetProperty("503", out var unavailable) && !Headers(unavailable).Contains("Retry-After")) failures.Add($"{name}: 503 without Retry-After");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task SignedInOperation_WithoutOwnDeclarations_ShouldDeclare401And403_ButNotTheTenantsLimits()
    {
        var me = Operation(await DocumentAsync(), "/api/auth/me", "get");
        Assert.Equal(["200", "400", "401", "403", "503"], Statuses(me));
    }

    [Fact]
    public async Task TenantScopedWrite_WithJsonBody_ShouldDeclareTheMiddlewaresAnswers_AndTheRateLimitHeaders()
    {
        var document = await DocumentAsync();
        var update = Operation(document, "/api/teams/{id}", "patch");
        Assert.Equal(["200", "400", "401", "403", "404", "409", "412", "413", "415", "422", "429", "503"], Statuses(update));
        Assert.Contains(update.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "If-Match" && p.GetProperty("in").GetString() == "header");
        var limited = update.GetProperty("responses").GetProperty("429");
        Assert.Equal("#/components/schemas/ProblemDetails", ProblemSchema(limited));
        Assert.Superset(new HashSet<string> { "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset" }, Headers(limited).ToHashSet());
        // A tenant read without a body: no 413/415, no Idempotency-Key answers, no If-Match.
        Assert.Equal(["200", "400", "401", "403", "404", "429", "503"], Statuses(Operation(document, "/api/organizations/{id}", "get")));
    }

    [Fact]
    public async Task AnonymousRead_ShouldDeclareNeitherPermissionNorUsageLimits()
    {
        var metadata = Operation(await DocumentAsync(), "/api/auth/sso/saml/{connectionId}/metadata", "get");
        var statuses = Statuses(metadata);
        Assert.DoesNotContain("403", statuses);
        Assert.DoesNotContain("429", statuses);
        Assert.Contains("404", statuses);
        // Its own declaration stays as it was.
        Assert.True(metadata.GetProperty("responses").GetProperty("200").GetProperty("content").TryGetProperty("application/samlmetadata+xml", out _));
    }

    [Fact]
    public async Task AnonymousDoorWithPerAddressLimit_ShouldDeclare429WithRetryAfter()
    {
        var register = Operation(await DocumentAsync(), "/api/auth/register", "post");
        var limited = register.GetProperty("responses").GetProperty("429");
        Assert.Contains("Retry-After", Headers(limited));
        Assert.Contains("415", Statuses(register));
    }

    private async Task<JsonElement> DocumentAsync() => await (await app.Anonymous().GetAsync("/openapi/v1.json")).JsonAsync();

    private static JsonElement Operation(JsonElement document, string path, string method) => document.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static List<string> Statuses(JsonElement operation) => [.. operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal)];

    private static string? ProblemSchema(JsonElement response) =>
        response.TryGetProperty("content", out var content) && content.TryGetProperty("application/problem+json", out var media)
        && media.TryGetProperty("schema", out var schema) && schema.TryGetProperty("$ref", out var reference) ? reference.GetString() : null;

    private static List<string> Headers(JsonElement response) =>
        response.TryGetProperty("headers", out var headers) ? [.. headers.EnumerateObject().Select(h => h.Name)] : [];
}
