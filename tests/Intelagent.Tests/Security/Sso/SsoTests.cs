using System.Net;
using System.Net.Http.Json;
using Intelagent.Server.Security.Sso;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Security.Sso;

public sealed class SsoTestsOnSqlite(SqliteApp app) : SsoTests<SqliteApp>(app);
public sealed class SsoTestsOnPostgres(PostgresApp app) : SsoTests<PostgresApp>(app);

/// <summary>Single sign-on end to end: configuration, domain proof, OpenID Connect and SAML sign-in, SSO-only.</summary>
public abstract class SsoTests<TApp>(TApp app) : IClassFixture<TApp>, IAsyncLifetime where TApp : TestApp
{
    private TestOpenIdProvider _provider = null!;
    private readonly TestIdentityProvider _idp = new();

    public async Task InitializeAsync() => _provider = await TestOpenIdProvider.StartAsync();

    public async Task DisposeAsync()
    {
        await _provider.DisposeAsync();
        _idp.Dispose();
    }

    private static string UniqueDomain() => $"acme-{Guid.NewGuid():N}".Substring(0, 20) + ".test";

    private HttpClient Browser() => app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    private async Task VerifyDomainAsync(HttpClient owner, string domain)
    {
        var claim = await owner.PostAsJsonAsync("/api/security/sso/domains", new { domain });
        await Api.ExpectAsync(claim, HttpStatusCode.Created);
        var body = await claim.JsonAsync();
        app.Dns.Publish(body.GetProperty("dnsRecordName").GetString()!, body.GetProperty("dnsRecordValue").GetString()!);
        await Api.ExpectAsync(await owner.PostAsync($"/api/security/sso/domains/{domain}/verify", null), HttpStatusCode.OK);
    }

    private async Task<(Account Owner, string Domain, string ConnectionId)> OidcOrganizationAsync(bool ssoOnly = false)
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var domain = UniqueDomain();
        var put = await client.PutAsJsonAsync("/api/security/sso", new
        {
            protocol = "oidc",
            oidcAuthority = _provider.Issuer,
            oidcClientId = TestOpenIdProvider.ClientId,
            oidcClientSecret = TestOpenIdProvider.ClientSecret,
            ssoOnly,
        });
        await Api.ExpectAsync(put, HttpStatusCode.OK);
        await VerifyDomainAsync(client, domain);
        return (owner, domain, (await put.JsonAsync()).GetProperty("id").GetString()!);
    }

    /// <summary>Runs the browser's round trip: start, the provider's authorization, the callback.</summary>
    private async Task<(HttpClient Browser, HttpResponseMessage Callback)> SignInThroughOidcAsync(string email, string returnUrl = "/teams")
    {
        var browser = Browser();
        var start = await browser.GetAsync($"/api/auth/sso/start?email={Uri.EscapeDataString(email)}&returnUrl={Uri.EscapeDataString(returnUrl)}");
        await Api.ExpectAsync(start, HttpStatusCode.Redirect);
        Assert.StartsWith(_provider.Issuer + "/authorize", start.Headers.Location!.ToString());
        using var external = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var authorize = await external.GetAsync(start.Headers.Location);
        Assert.Equal(HttpStatusCode.Redirect, authorize.StatusCode);
        var callback = await browser.GetAsync(authorize.Headers.Location!.PathAndQuery);
        return (browser, callback);
    }

    [Fact]
    public async Task OidcSignIn_ForAVerifiedDomain_ShouldCreateTheMemberAndStartASession()
    {
        var (owner, domain, _) = await OidcOrganizationAsync();
        var email = $"alice@{domain}";
        _provider.NextUser = ("sub-alice", email, "Alice Example", true);

        var (browser, callback) = await SignInThroughOidcAsync(email);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/teams", callback.Headers.Location!.ToString());
        var me = await browser.GetAsync("/api/auth/me");
        await Api.ExpectAsync(me, HttpStatusCode.OK);
        Assert.Equal(email, (await me.JsonAsync()).GetProperty("email").GetString());
        var userId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        var role = await app.WithDbAsync(db => db.Memberships.IgnoreQueryFilters()
            .Where(m => m.OrganizationId == owner.OrganizationId && m.UserId == userId).Select(m => m.Role).SingleAsync());
        Assert.Equal(Intelagent.Server.Platform.Authorization.Role.Member, role);
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters().AnyAsync(a => a.OrganizationId == owner.OrganizationId && a.Action == "user.signed_in")));
    }

    [Fact]
    public async Task OidcSignIn_WhenTheIdTokenIsForAnotherClient_ShouldNotStartASession()
    {
        var (_, domain, _) = await OidcOrganizationAsync();
        _provider.NextUser = ("sub-bob", $"bob@{domain}", "Bob", true);
        _provider.AudienceOverride = "some-other-client";
        try
        {
            var (browser, callback) = await SignInThroughOidcAsync($"bob@{domain}");

            Assert.Equal("/sign-in?error=sso_failed", callback.Headers.Location!.ToString());
            await Api.ExpectAsync(await browser.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        }
        finally
        {
            _provider.AudienceOverride = null;
        }
    }

    [Fact]
    public async Task OidcSignIn_WhenTheProviderVouchesForAnEmailOutsideTheVerifiedDomains_ShouldRefuse()
    {
        var (_, domain, _) = await OidcOrganizationAsync();
        _provider.NextUser = ("sub-eve", "eve@elsewhere.test", "Eve", true);

        var (browser, callback) = await SignInThroughOidcAsync($"eve@{domain}");

        Assert.Equal("/sign-in?error=sso_domain_not_verified", callback.Headers.Location!.ToString());
        await Api.ExpectAsync(await browser.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Put_ShouldKeepTheClientSecretEncryptedAndNeverAnswerIt()
    {
        var (owner, _, connectionId) = await OidcOrganizationAsync();

        var body = await (await app.WithToken(owner.Token).GetAsync("/api/security/sso")).JsonAsync();

        Assert.True(body.GetProperty("oidcClientSecretSet").GetBoolean());
        Assert.DoesNotContain(TestOpenIdProvider.ClientSecret, body.GetRawText());
        var stored = await app.WithDbAsync(db => db.Set<SsoConnection>().IgnoreQueryFilters().Where(c => c.Id == connectionId).Select(c => c.OidcClientSecretProtected).SingleAsync());
        Assert.DoesNotContain(TestOpenIdProvider.ClientSecret, stored);
    }

    [Fact]
    public async Task VerifyDomain_WithoutTheTxtRecord_ShouldAnswer422AndStayUnverified()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var domain = UniqueDomain();
        await Api.ExpectAsync(await client.PostAsJsonAsync("/api/security/sso/domains", new { domain }), HttpStatusCode.Created);

        await Api.ExpectProblemAsync(await client.PostAsync($"/api/security/sso/domains/{domain}/verify", null), HttpStatusCode.UnprocessableEntity, "domain_not_verified");

        Assert.Equal(HttpStatusCode.NotFound, (await app.Anonymous().GetAsync($"/api/auth/sso/start?email=x@{domain}")).StatusCode);
    }

    [Fact]
    public async Task VerifyDomain_WhenAnotherOrganizationVerifiedIt_ShouldAnswer409()
    {
        var (_, domain, _) = await OidcOrganizationAsync();
        var other = await app.RegisterAsync();
        var client = app.WithToken(other.Token);
        var claim = await client.PostAsJsonAsync("/api/security/sso/domains", new { domain });
        await Api.ExpectAsync(claim, HttpStatusCode.Created);
        var body = await claim.JsonAsync();
        app.Dns.Publish(body.GetProperty("dnsRecordName").GetString()!, body.GetProperty("dnsRecordValue").GetString()!);

        await Api.ExpectProblemAsync(await client.PostAsync($"/api/security/sso/domains/{domain}/verify", null), HttpStatusCode.Conflict, "domain_taken");
    }

    [Fact]
    public async Task PasswordSignIn_WhenTheOrganizationMadeSsoTheOnlyWayIn_ShouldAnswer403()
    {
        var (owner, domain, _) = await OidcOrganizationAsync(ssoOnly: true);
        var email = $"carol@{domain}";
        _provider.NextUser = ("sub-carol", email, "Carol", true);
        await SignInThroughOidcAsync(email);

        var response = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password = "whatever-password-1" });

        await Api.ExpectProblemAsync(response, HttpStatusCode.Forbidden, "sso_required");
        // The owner registered with another domain and keeps password sign-in.
        await Api.ExpectAsync(await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email = owner.Email, password = owner.Password }), HttpStatusCode.OK);
    }

    [Fact]
    public async Task Put_WithBadInput_ShouldAnswerProblems()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        await Api.ExpectProblemAsync(await client.PutAsJsonAsync("/api/security/sso", new { protocol = "ldap" }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PutAsJsonAsync("/api/security/sso", new { protocol = "oidc", oidcAuthority = "http://idp.example.com", oidcClientId = "x", oidcClientSecret = "y" }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PutAsJsonAsync("/api/security/sso", new { protocol = "saml", samlIdpEntityId = "x", samlIdpSsoUrl = "https://idp.example.com/sso", samlIdpCertificate = "not a certificate" }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PutAsJsonAsync("/api/security/sso", new { protocol = "oidc", defaultRole = "owner" }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await client.PostAsJsonAsync("/api/security/sso/domains", new { domain = "not a domain" }), HttpStatusCode.BadRequest, "validation_failed");
        await Api.ExpectProblemAsync(await app.Anonymous().GetAsync("/api/auth/sso/start?email=nobody"), HttpStatusCode.BadRequest, "validation_failed");
    }

    private async Task<(Account Owner, string Domain, string ConnectionId)> SamlOrganizationAsync()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var domain = UniqueDomain();
        var put = await client.PutAsJsonAsync("/api/security/sso", new
        {
            protocol = "saml",
            samlIdpEntityId = TestIdentityProvider.EntityId,
            samlIdpSsoUrl = TestIdentityProvider.SsoUrl,
            samlIdpCertificate = _idp.CertificateBase64,
        });
        await Api.ExpectAsync(put, HttpStatusCode.OK);
        await VerifyDomainAsync(client, domain);
        return (owner, domain, (await put.JsonAsync()).GetProperty("id").GetString()!);
    }

    private async Task<(HttpClient Browser, FormUrlEncodedContent Form)> SamlRoundTripAsync(string connectionId, string email, Func<TestIdentityProvider.Assertion, TestIdentityProvider.Assertion>? edit = null)
    {
        var browser = Browser();
        var start = await browser.GetAsync($"/api/auth/sso/start?email={Uri.EscapeDataString(email)}");
        await Api.ExpectAsync(start, HttpStatusCode.Redirect);
        var location = start.Headers.Location!.ToString();
        Assert.StartsWith(TestIdentityProvider.SsoUrl, location);
        var assertion = new TestIdentityProvider.Assertion(email, $"http://localhost/api/auth/sso/saml/{connectionId}/metadata",
            $"http://localhost/api/auth/sso/saml/{connectionId}/acs", TestIdentityProvider.RequestIdFrom(location), app.Clock.GetUtcNow(), Email: email);
        var response = _idp.Response(edit?.Invoke(assertion) ?? assertion);
        return (browser, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["SAMLResponse"] = TestIdentityProvider.Encode(response),
            ["RelayState"] = TestIdentityProvider.RelayStateFrom(location),
        }));
    }

    [Fact]
    public async Task SamlSignIn_WithAValidAssertion_ShouldSignInOnceAndRefuseTheReplay()
    {
        var (owner, domain, connectionId) = await SamlOrganizationAsync();
        var email = $"dave@{domain}";
        var (browser, form) = await SamlRoundTripAsync(connectionId, email);
        var body = await form.ReadAsStringAsync();

        var acs = await browser.PostAsync($"/api/auth/sso/saml/{connectionId}/acs", new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.Redirect, acs.StatusCode);
        var me = await browser.GetAsync("/api/auth/me");
        await Api.ExpectAsync(me, HttpStatusCode.OK);
        Assert.Equal(email, (await me.JsonAsync()).GetProperty("email").GetString());
        var userId = await app.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync());
        Assert.True(await app.WithDbAsync(db => db.Memberships.IgnoreQueryFilters().AnyAsync(m => m.OrganizationId == owner.OrganizationId && m.UserId == userId)));

        var replay = await Browser().PostAsync($"/api/auth/sso/saml/{connectionId}/acs", new StringContent(body, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"));
        await Api.ExpectProblemAsync(replay, HttpStatusCode.Unauthorized, "saml_replayed");
    }

    [Fact]
    public async Task SamlSignIn_WhenTheAssertionIsForAnotherServiceProvider_ShouldRefuseWithoutASession()
    {
        var (_, domain, connectionId) = await SamlOrganizationAsync();
        var (browser, form) = await SamlRoundTripAsync(connectionId, $"erin@{domain}", a => a with { Audience = "https://other.example/sp" });

        await Api.ExpectProblemAsync(await browser.PostAsync($"/api/auth/sso/saml/{connectionId}/acs", form), HttpStatusCode.Unauthorized, "saml_wrong_audience");
        await Api.ExpectAsync(await browser.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SamlSignIn_WithAForgedRelayState_ShouldRefuse()
    {
        var (_, domain, connectionId) = await SamlOrganizationAsync();
        var (browser, _) = await SamlRoundTripAsync(connectionId, $"frank@{domain}");
        var assertion = new TestIdentityProvider.Assertion($"frank@{domain}", $"http://localhost/api/auth/sso/saml/{connectionId}/metadata",
            $"http://localhost/api/auth/sso/saml/{connectionId}/acs", "_made_up", app.Clock.GetUtcNow(), Email: $"frank@{domain}");
        var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["SAMLResponse"] = TestIdentityProvider.Encode(_idp.Response(assertion)), ["RelayState"] = "forged" });

        await Api.ExpectProblemAsync(await browser.PostAsync($"/api/auth/sso/saml/{connectionId}/acs", form), HttpStatusCode.Unauthorized, "saml_unsolicited");
    }

    /// <summary>The HTTP-POST binding as a browser sends it from the identity provider's page, or as a script or an API client would.</summary>
    private static HttpRequestMessage AcsPost(string connectionId, string form, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/auth/sso/saml/{connectionId}/acs")
        {
            Content = new StringContent(form, System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"),
        };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return request;
    }

    private static readonly (string, string)[] FormNavigation =
        [("Sec-Fetch-Mode", "navigate"), ("Sec-Fetch-Site", "cross-site"), ("Origin", "https://idp.tests.intelagent.test"), ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")];

    [Fact]
    public async Task SamlSignIn_WhenTheBrowsersFormCarriesAnEmailOutsideTheVerifiedDomains_ShouldLandOnTheSignInPageWithTheReason()
    {
        var (owner, domain, connectionId) = await SamlOrganizationAsync();
        var (browser, form) = await SamlRoundTripAsync(connectionId, $"grace@{domain}", a => a with { NameId = "grace@elsewhere.test", Email = "grace@elsewhere.test" });
        var body = await form.ReadAsStringAsync();

        var refused = await browser.SendAsync(AcsPost(connectionId, body, FormNavigation));

        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.Equal("/sign-in?error=sso_domain_not_verified", refused.Headers.Location!.ToString());
        await Api.ExpectAsync(await browser.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.Email == "grace@elsewhere.test")));
        Assert.True(await app.WithDbAsync(db => db.AuditEntries.IgnoreQueryFilters()
            .AnyAsync(a => a.OrganizationId == owner.OrganizationId && a.Action == "user.sign_in_failed" && a.TargetId == connectionId)));
        // The same form again, from an API client: the assertion counted once, and the answer is the problem.
        await Api.ExpectProblemAsync(await Browser().SendAsync(AcsPost(connectionId, body)), HttpStatusCode.Unauthorized, "saml_replayed");
    }

    [Fact]
    public async Task SamlSignIn_WhenTheBrowserPostsAResponseAgain_ShouldLandOnTheSignInPageWithoutASession()
    {
        var (_, domain, connectionId) = await SamlOrganizationAsync();
        var (browser, form) = await SamlRoundTripAsync(connectionId, $"heidi@{domain}");
        var body = await form.ReadAsStringAsync();
        var signedIn = await browser.SendAsync(AcsPost(connectionId, body, FormNavigation));
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/", signedIn.Headers.Location!.ToString());

        var replayer = Browser();
        var replay = await replayer.SendAsync(AcsPost(connectionId, body, FormNavigation));

        Assert.Equal(HttpStatusCode.Redirect, replay.StatusCode);
        Assert.Equal("/sign-in?error=saml_replayed", replay.Headers.Location!.ToString());
        Assert.False(replay.Headers.TryGetValues("Set-Cookie", out _));
        await Api.ExpectAsync(await replayer.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SamlSignIn_FromASameSiteIdentityProviderToABrowserHoldingADeadSessionCookie_ShouldSignIn()
    {
        // An identity provider on the same site (sso.acme.com for a portal at intelagent.acme.com) posts the form
        // same-site, so the browser sends the session cookie it still holds (revoked, or idled out): the ACS
        // acts on the signed response, not on that cookie, and the cookie CSRF check must not refuse it.
        var (_, domain, connectionId) = await SamlOrganizationAsync();
        var email = $"ivan@{domain}";
        var (_, form) = await SamlRoundTripAsync(connectionId, email);
        var post = AcsPost(connectionId, await form.ReadAsStringAsync(), [.. FormNavigation.Where(h => h.Item1 is not ("Sec-Fetch-Site" or "Origin")),
            ("Sec-Fetch-Site", "same-site"), ("Origin", "http://sso.localhost"), ("Cookie", "auth-token=a-session-long-gone")]);

        var acs = await app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false }).SendAsync(post);

        Assert.Equal(HttpStatusCode.Redirect, acs.StatusCode);
        Assert.Equal("/", acs.Headers.Location!.ToString());
        var token = acs.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("auth-token=", StringComparison.Ordinal)).Split(';')[0]["auth-token=".Length..];
        var me = await app.WithToken(token).GetAsync("/api/auth/me");
        await Api.ExpectAsync(me, HttpStatusCode.OK);
        Assert.Equal(email, (await me.JsonAsync()).GetProperty("email").GetString());
    }

    [Fact]
    public async Task SamlAcs_WhenRefused_ShouldSendOnlyABrowsersNavigationToTheSignInPage()
    {
        var (_, _, connectionId) = await SamlOrganizationAsync();
        (string Name, string Value)[][] navigations =
        [
            FormNavigation,
            [("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")], // a browser without fetch metadata
        ];
        (string Name, string Value)[][] calls =
        [
            [],
            [("Sec-Fetch-Mode", "cors"), ("Accept", "text/html")], // a page's script reads the problem itself
            [("Accept", "application/json")],
            [("Accept", "*/*")],
        ];

        foreach (var headers in navigations)
        {
            var response = await Browser().SendAsync(AcsPost(connectionId, "SAMLResponse=x&RelayState=forged", headers));
            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{string.Join(", ", headers)}: {response.StatusCode}");
            Assert.Equal("/sign-in?error=saml_unsolicited", response.Headers.Location!.ToString());
        }
        foreach (var headers in calls)
            await Api.ExpectProblemAsync(await Browser().SendAsync(AcsPost(connectionId, "SAMLResponse=x&RelayState=forged", headers)), HttpStatusCode.Unauthorized, "saml_unsolicited");
    }

    [Fact]
    public async Task Metadata_ShouldNameTheAssertionConsumerService()
    {
        var (_, _, connectionId) = await SamlOrganizationAsync();

        var response = await app.Anonymous().GetAsync($"/api/auth/sso/saml/{connectionId}/metadata");

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Contains($"/api/auth/sso/saml/{connectionId}/acs", await response.Content.ReadAsStringAsync());
    }
}
