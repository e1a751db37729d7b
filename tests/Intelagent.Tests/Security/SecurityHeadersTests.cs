using System.Net;
using System.Text.RegularExpressions;
using Intelagent.Server.Platform.Http;
using Intelagent.Tests.Infrastructure;

namespace Intelagent.Tests.Security;

/// <summary>A SQLite app as production runs it as far as HSTS goes (the tests' environment leaves it off like Development).</summary>
public sealed class HstsApp : SqliteApp
{
    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("Security:Hsts", "true")];
}

public sealed partial class SecurityHeadersTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(",", contentValues) : "";

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/api/auth/me")]
    [InlineData("/api/no-such-route")]
    public async Task ApiAnswers_ShouldCarryTheStrictPolicy_AndTheCommonHeaders(string path)
    {
        var response = await app.Anonymous().GetAsync(path);

        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("strict-origin-when-cross-origin", Header(response, "Referrer-Policy"));
        Assert.Equal(SecurityHeaders.ApiPolicy, Header(response, "Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", Header(response, "Content-Security-Policy"));
        Assert.Equal("", Header(response, "Strict-Transport-Security"));
    }

    [Fact]
    public async Task PortalPage_ShouldAdmitItsImportMapByANonceOfItsOwn_AndNoOtherInlineScript()
    {
        var first = await app.Anonymous().GetAsync("/sign-in");
        var second = await app.Anonymous().GetAsync("/sign-in");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        var policy = Header(first, "Content-Security-Policy");
        var nonce = Nonce().Match(policy).Groups[1].Value;
        Assert.NotEmpty(nonce);
        Assert.Contains("script-src 'self' 'nonce-", policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.DoesNotMatch("script-src[^;]*unsafe-inline", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.Matches("connect-src 'self' ws://[^ ]+ wss://", policy);
        Assert.NotEqual(nonce, Nonce().Match(Header(second, "Content-Security-Policy")).Groups[1].Value);

        var html = await first.Content.ReadAsStringAsync();
        var inlineScripts = InlineScript().Matches(html).Select(m => m.Value).ToList();
        Assert.NotEmpty(inlineScripts);
        Assert.All(inlineScripts, script => Assert.Contains($"nonce=\"{nonce}\"", script));
    }

    [Fact]
    public async Task Hsts_WhenOn_ShouldBeSentOnEveryAnswer()
    {
        var production = new HstsApp();
        try
        {
            await production.InitializeAsync();
            foreach (var path in new[] { "/health/live", "/sign-in", "/api/auth/me" })
                Assert.Equal(SecurityHeaders.StrictTransportSecurity, Header(await production.Anonymous().GetAsync(path), "Strict-Transport-Security"));
        }
        finally
        {
            await production.DisposeAsync();
        }
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex Nonce();

    /// <summary>Script elements without a src attribute.</summary>
    [GeneratedRegex("<script(?![^>]*\\ssrc=)[^>]*>")]
    private static partial Regex InlineScript();
}
