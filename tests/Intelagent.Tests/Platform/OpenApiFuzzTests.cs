using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Tests.Infrastructure;
using Intelagent.Tests.Isolation;
using Intelagent.Tests.Platform.Fuzz;
using Xunit.Abstractions;

namespace Intelagent.Tests.Platform;

public sealed class OpenApiFuzzTestsOnSqlite(FuzzSqliteApp app, ITestOutputHelper output) : OpenApiFuzzTests<FuzzSqliteApp>(app, output);
public sealed class OpenApiFuzzTestsOnPostgres(FuzzPostgresApp app, ITestOutputHelper output) : OpenApiFuzzTests<FuzzPostgresApp>(app, output);

/// <summary>
/// Bad input everywhere (issue 9): every operation of <c>/openapi/v1.json</c> gets malformed,
/// oversized and wrongly typed paths, queries and bodies, sent by the organization owner, the
/// operator (for platform routes) and nobody. No answer may be a 5xx; every error is an RFC 7807
/// problem; a refused request leaves the database as it was; and every answer, the valid request's
/// included, is one the document declares for the operation, with a media type it lists for that
/// status (what Schemathesis' conformance checks ask of the document). The cases are drawn from
/// <c>FUZZ_SEED</c> (default below); <c>FUZZ_ONLY</c> (a substring of "METHOD /path") narrows a rerun.
/// </summary>
public abstract class OpenApiFuzzTests<TApp>(TApp app, ITestOutputHelper output) : IClassFixture<TApp> where TApp : TestApp
{
    private const int DefaultSeed = 20261127;

    /// <summary>Calls that end the caller's session, ownership or organization when accepted: each gets a world of its own, last.</summary>
    private static readonly HashSet<string> WorldEnding =
    [
        "DELETE /api/organizations/{id}", "POST /api/organizations/{id}/cancel-deletion", "POST /api/organizations/{orgId}/transfer-ownership",
        "POST /api/organizations/{orgId}/leave", "POST /api/auth/logout", "POST /api/auth/change-password", "DELETE /api/auth/sessions/{sessionId}",
        "PUT /api/security/settings", "POST /api/organizations", "POST /api/auth/2fa/disable", "POST /api/auth/2fa/totp/confirm", "POST /api/auth/2fa/sms/confirm",
    ];

    /// <summary>
    /// Tables an operation legitimately writes when it refuses, with the reason. Everything else must
    /// leave every table outside <see cref="DatabaseDigest.ExcludedTables"/> untouched on a 4xx.
    /// </summary>
    private static readonly Dictionary<string, string[]> WritesWhenRefused = new()
    {
        // A wrong password counts toward the account's lockout (Users.FailedSignInCount, LockoutEndsAt).
        ["POST /api/auth/login"] = ["Users"],
    };

    [Fact]
    public async Task EveryOperation_WithMalformedInput_ShouldAnswerAProblemBelow500_AndChangeNothingWhenRefused()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : DefaultSeed;
        var only = Environment.GetEnvironmentVariable("FUZZ_ONLY");
        var document = await (await app.Anonymous().GetAsync("/openapi/v1.json")).JsonAsync();
        var operations = OpenApiOperations.Read(document)
            .Where(o => o.Path.StartsWith("/api/", StringComparison.Ordinal) && (only is null || o.ToString().Contains(only, StringComparison.Ordinal)))
            .OrderBy(o => WorldEnding.Contains(o.ToString())).ToList();
        Assert.True(only is not null || operations.Count > 150, $"The OpenAPI document lists only {operations.Count} operations");
        var rows = IsolationTests<TApp>.Rows.ToDictionary(r => $"{r.Method} {Normalize(r.Pattern)}");

        var failures = new List<string>();
        // (operation, status) -> the first request the document does not account for, reported once each.
        var undeclared = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var statuses = new SortedDictionary<int, int>();
        var stopwatch = Stopwatch.StartNew();
        var digestTime = TimeSpan.Zero;
        var world = await World.CreateAsync(app);
        var digest = await DatabaseDigest.TakeAsync(app);
        foreach (var operation in operations)
        {
            if (WorldEnding.Contains(operation.ToString())) world = await World.CreateAsync(app);
            var row = rows.GetValueOrDefault(operation.ToString());
            Template template;
            try { template = await TemplateAsync(operation, row, world, failures); }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                // An earlier accepted request may have changed the world the row relies on (a second organization, say).
                output.WriteLine($"{operation}: building the valid request failed ({exception.Message}); building a new world");
                world = await World.CreateAsync(app);
                template = await TemplateAsync(operation, row, world, failures);
            }
            await app.DispatchEventsAsync(); // what building the valid request changed is not the fuzz cases' doing
            var started = stopwatch.Elapsed;
            var sent = 0;
            var random = new Random(seed ^ StableHash(operation.ToString()));
            var foreign = new[] { world.Foreign.OrganizationId, world.Foreign.UserId };
            digest = await DatabaseDigest.TakeAsync(app);
            foreach (var request in new FuzzCases(operation, template, random, foreign).All())
            {
                var (status, mediaType, problem) = await SendAsync(request);
                sent++;
                if (ReachesOperation(operation, request) && operation.Nonconformance(status, mediaType) is { } mismatch) undeclared.TryAdd($"{operation} {status}", $"{mismatch}: {request.Describe()}");
                if (status < 300 && request.Body?.Length > 500_000) output.WriteLine($"accepted a megabyte with {status}: {request.Describe()}");
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
                if (problem is not null) failures.Add($"{problem}: {request.Describe()}");
                var digestStarted = stopwatch.Elapsed;
                // A refusal must not leave events to dispatch either: OutboxMessages is in the digest.
                if (status < 400) await app.DispatchEventsAsync();
                var after = await DatabaseDigest.TakeAsync(app);
                digestTime += stopwatch.Elapsed - digestStarted;
                if (status is >= 400 and < 500 && after.ChangedSince(digest, WritesWhenRefused.GetValueOrDefault(operation.ToString()) ?? []) is { Count: > 0 } changed)
                    failures.Add($"refused with {status} but changed {string.Join(", ", changed)}: {request.Describe()}");
                digest = after;
            }
            // Last, the valid request itself: its success (or the row's business outcome) must be declared too.
            var valid = new FuzzRequest("valid", operation.Method, template.Url, template.Json is null ? null : System.Text.Encoding.UTF8.GetBytes(template.Json),
                template.Json is null ? null : "application/json", template.Headers);
            var (validStatus, validMediaType, validProblem) = await SendAsync(valid);
            statuses[validStatus] = statuses.GetValueOrDefault(validStatus) + 1;
            if (validProblem is not null) failures.Add($"{validProblem}: {valid.Describe()}");
            if (operation.Nonconformance(validStatus, validMediaType) is { } validMismatch) undeclared.TryAdd($"{operation} {validStatus}", $"{validMismatch}: {valid.Describe()}");
            if (validStatus < 400) await app.DispatchEventsAsync();
            output.WriteLine($"{operation}: {sent} requests in {(stopwatch.Elapsed - started).TotalMilliseconds:F0} ms; the valid one answered {validStatus}");
            if (await OwnerStatusAsync(world) is var probe and not 200)
            {
                output.WriteLine($"{operation} ended the shared world (the owner's organization answers {probe}); building a new one");
                world = await World.CreateAsync(app);
            }
        }

        var summary = $"seed {seed}: {operations.Count} operations, {statuses.Values.Sum()} requests in {stopwatch.Elapsed.TotalSeconds:F0} s ({digestTime.TotalSeconds:F0} s for digests) on {app.Name}; statuses " +
            string.Join(", ", statuses.Select(p => $"{p.Key}: {p.Value}")) + $"; {undeclared.Count} (operation, status) pairs the document does not declare";
        failures.AddRange(undeclared.Values.Select(v => "not in the document: " + v));
        output.WriteLine(summary);
        foreach (var failure in failures) output.WriteLine(failure);
        Assert.True(failures.Count == 0, $"{summary}\n{failures.Count} failures (rerun with FUZZ_SEED={seed} FUZZ_ONLY=\"METHOD /path\"):\n" + string.Join("\n", failures.Take(60)));
    }

    /// <summary>Sends one request; returns its status, its body's media type (null without a body) and what is wrong with the answer, if anything.</summary>
    private async Task<(int Status, string? MediaType, string? Problem)> SendAsync(FuzzRequest request)
    {
        HttpResponseMessage response;
        // The in-process server hands an exception that no handler answered to the client.
        try { response = await app.Anonymous().SendAsync(request.ToMessage()); }
        catch (Exception exception) when (exception is not OutOfMemoryException) { return (599, null, $"exception {exception.GetType().Name}: {exception.Message}"); }
        using var _ = response;
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var mediaType = body.Length == 0 ? null : response.Content.Headers.ContentType?.MediaType ?? "(none)";
        if (status >= 500) return (status, mediaType, $"{status} {Shorten(body)}");
        if (status < 400) return (status, mediaType, null);
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            return (status, mediaType, $"{status} is not a problem ({response.Content.Headers.ContentType?.MediaType ?? "no content type"}: {Shorten(body)})");
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            if (!problem.TryGetProperty("status", out var declared) || declared.GetInt32() != status)
                return (status, mediaType, $"{status} problem without a matching status: {Shorten(body)}");
            if (!problem.TryGetProperty("title", out var title) || string.IsNullOrEmpty(title.GetString()))
                return (status, mediaType, $"{status} problem without a title: {Shorten(body)}");
        }
        catch (JsonException)
        {
            return (status, mediaType, $"{status} problem that is not JSON: {Shorten(body)}");
        }
        return (status, mediaType, null);
    }

    /// <summary>A valid request from the isolation matrix's row, as the owner, the operator (platform routes) or nobody (anonymous routes).</summary>
    private static async Task<Template> TemplateAsync(OpenApiOperation operation, Row? row, World world, List<string> failures)
    {
        if (row is null)
        {
            failures.Add($"{operation}: no row in the isolation matrix to build a valid request from");
            return new Template(Regex.Replace(operation.Path, @"\{[^}]+\}", "fz_missing"), null, []);
        }
        var caller = row.Access == Row.Anonymous ? Caller.Anonymous : row.Permission is { } p && Permissions.IsPlatform(p) ? Caller.Operator : Caller.Owner;
        using var message = await row.Build(world, caller);
        var json = message.Content is null ? null : await message.Content.ReadAsStringAsync();
        var headers = message.Headers.Select(h => new KeyValuePair<string, string>(h.Key, string.Join(",", h.Value))).ToList();
        return new Template(message.RequestUri!.OriginalString, json, headers);
    }

    /// <summary>
    /// False when a path value is a dot segment ("..", "%2e%2e"): the URL then resolves to another
    /// path, so the answer is some other route's (or none's) and says nothing about this operation.
    /// </summary>
    private static bool ReachesOperation(OpenApiOperation operation, FuzzRequest request) =>
        new Uri(new Uri("http://localhost"), request.Url).AbsolutePath.Split('/').Length == operation.Path.Split('/').Length;

    private async Task<int> OwnerStatusAsync(World world) =>
        (int)(await app.WithToken(world.Owner.Token).GetAsync($"/api/organizations/{world.Org}")).StatusCode;

    private static string Normalize(string pattern) => Regex.Replace(pattern, @"\{([^}:?]+)[^}]*\}", "{$1}");

    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return (int)hash;
    }

    private static string Shorten(string text) => text.Length > 400 ? text[..400] + "..." : text;
}
