using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Intelagent.Tests.Security.Sso;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;
using static Intelagent.BrowserTests.SsoSteps;

namespace Intelagent.BrowserTests;

/// <summary>
/// SAML 2.0 sign-in from the portal, end to end in the browser: an owner sets up a SAML connection and proves a
/// domain, then a person of that domain goes through the sign-in page to the identity provider and back. The
/// identity provider is played by route interception in the person's browser: it reads the AuthnRequest of the
/// HTTP-Redirect binding and answers, as real providers do, with a page whose form posts the signed response
/// across sites to the server's assertion consumer service.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class SamlSignInTests(PortalFixture portal)
{
    [Fact]
    public async Task Person_OfADomainTheOwnerVerified_ShouldSignInThroughSamlAsAJustInTimeMember()
    {
        using var provider = new TestIdentityProvider();
        var owner = await portal.NewPageAsync();
        var (ownerEmail, organization) = await RegisterAsync(owner);
        await SignInAsync(owner, ownerEmail, returnPath: "/security");
        await owner.GetByRole(AriaRole.Tab, new() { Name = "Single sign-on" }).ClickAsync();
        await owner.GetByRole(AriaRole.Radio, new() { Name = "SAML 2.0" }).CheckAsync();
        await owner.GetByLabel("Identity provider entity id").FillAsync(TestIdentityProvider.EntityId);
        await owner.GetByLabel("Single sign-on URL (HTTP-Redirect binding)").FillAsync(TestIdentityProvider.SsoUrl);
        await owner.GetByLabel("Signing certificate (PEM)").FillAsync(provider.Certificate.ExportCertificatePem());
        await owner.GetByTestId("sso-save").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("sso-saml")).ToContainTextAsync("Current: CN=Test IdP");
        // What the identity provider's administrator copies from the page: the audience and the recipient of every assertion.
        var identityProvider = new IdentityProviderPages(provider,
            await owner.GetByLabel("Service provider entity id", new() { Exact = true }).InputValueAsync(),
            await owner.GetByLabel("Assertion consumer service (ACS) URL", new() { Exact = true }).InputValueAsync());
        Assert.StartsWith(portal.BaseUrl + "/api/auth/sso/saml/", identityProvider.AcsUrl);

        var domain = NewDomain();
        await ClaimAndVerifyDomainAsync(owner, portal.Dns, domain);
        await EnableAsync(owner);

        // Someone of that domain, in a browser of their own: the sign-in page's SSO step, the identity provider, back signed in.
        var suffix = Guid.NewGuid().ToString("N")[..6];
        var personEmail = $"sam-{suffix}@{domain}";
        var person = await portal.NewPageAsync();
        await identityProvider.PlayInAsync(person.Context);
        identityProvider.NextPerson = (personEmail, "Sam Saml");
        await StartSsoAsync(person, personEmail);
        await person.WaitForURLAsync(new Regex("^" + Regex.Escape(portal.BaseUrl) + "/$"));
        Assert.Single(identityProvider.Answered);
        await Assertions.Expect(person.GetByTestId("org-name")).ToHaveTextAsync(organization);
        await ScreenshotAsync(person, "saml-signed-in");
        await person.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await Assertions.Expect(person.GetByRole(AriaRole.Menu)).ToContainTextAsync("Sam Saml");
        await Assertions.Expect(person.GetByRole(AriaRole.Menu)).ToContainTextAsync(personEmail);
        var me = JsonDocument.Parse(await (await person.APIRequest.GetAsync("/api/auth/me")).TextAsync()).RootElement;
        Assert.Equal(personEmail, me.GetProperty("email").GetString());
        Assert.Equal("member", me.GetProperty("role").GetString(), ignoreCase: true); // the connection's default role

        await owner.GotoAsync("/members");
        var row = owner.GetByTestId("members-table").GetByRole(AriaRole.Row).Filter(new() { HasText = personEmail });
        await Assertions.Expect(row).ToContainTextAsync("Sam Saml");

        // The same signed response, posted again from another browser (a captured form played back): nobody is signed in, and the page says why.
        var replayer = await portal.NewPageAsync();
        identityProvider.Replay = identityProvider.Answered[0];
        await identityProvider.PlayInAsync(replayer.Context);
        await replayer.GotoAsync(TestIdentityProvider.SsoUrl, new() { WaitUntil = WaitUntilState.Commit }); // the page posts its form at once
        await replayer.WaitForURLAsync(new Regex("/sign-in\\?error=saml_replayed$"));
        await Assertions.Expect(replayer.GetByTestId("sign-in-error")).ToContainTextAsync("already used to sign in");
        Assert.Equal(401, (await replayer.APIRequest.GetAsync("/api/auth/me")).Status);
        await replayer.Context.CloseAsync();
        identityProvider.Replay = null;

        // The identity provider vouching for an email outside the verified domains: refused, and the sign-in page says why.
        var stranger = await portal.NewPageAsync();
        await identityProvider.PlayInAsync(stranger.Context);
        identityProvider.NextPerson = ($"eve-{suffix}@elsewhere.test", "Eve Elsewhere");
        await StartSsoAsync(stranger, $"eve-{suffix}@{domain}");
        await stranger.WaitForURLAsync(new Regex("/sign-in\\?error=sso_domain_not_verified$"));
        Assert.Equal(2, identityProvider.Answered.Count);
        var message = stranger.GetByTestId("sign-in-error");
        await Assertions.Expect(message).ToContainTextAsync("whose domain your organization has not verified");
        await Assertions.Expect(stranger.GetByLabel("Work email")).ToBeVisibleAsync(); // back on the SSO step, ready to try again
        Assert.Equal(401, (await stranger.APIRequest.GetAsync("/api/auth/me")).Status);
        await ScreenshotAsync(stranger, "saml-refused");
        await Accessibility.AssertNoSeriousViolationsAsync(stranger, "sign-in after a refused SAML response");
        await stranger.Context.CloseAsync();

        await owner.GotoAsync("/members");
        await Assertions.Expect(owner.GetByTestId("members-table").GetByRole(AriaRole.Row).Filter(new() { HasText = "elsewhere.test" })).ToHaveCountAsync(0);

        // The identity provider moves to the portal's own site (another port of 127.0.0.1: same site, another origin),
        // and the person comes back in a browser still holding the cookie of a session that has ended: the form's
        // same-site post carries that cookie, which the cookie CSRF check used to answer with 403 csrf_rejected.
        identityProvider.SsoUrl = $"http://127.0.0.1:{UnusedPort()}/sso";
        await owner.GotoAsync("/security");
        await owner.GetByRole(AriaRole.Tab, new() { Name = "Single sign-on" }).ClickAsync();
        await owner.GetByLabel("Single sign-on URL (HTTP-Redirect binding)").FillAsync(identityProvider.SsoUrl);
        await owner.GetByTestId("sso-save").ClickAsync();
        await WaitUntilAsync(async () => (await SsoConnectionAsync(owner)).GetProperty("samlIdpSsoUrl").GetString() == identityProvider.SsoUrl, "the new SSO URL to be saved");
        var endedSession = (await person.Context.CookiesAsync()).Single(c => c.Name == "auth-token");
        Assert.Equal(204, (await person.APIRequest.PostAsync("/api/auth/logout")).Status);
        var returning = await portal.NewPageAsync();
        await returning.Context.AddCookiesAsync([new() { Name = endedSession.Name, Value = endedSession.Value, Domain = endedSession.Domain, Path = endedSession.Path, HttpOnly = true, SameSite = SameSiteAttribute.Lax }]);
        await identityProvider.PlayInAsync(returning.Context);
        identityProvider.NextPerson = (personEmail, "Sam Saml");
        // The cookie the ACS post carries (Playwright does not show an intercepting context's raw request headers).
        Assert.Contains(await returning.Context.CookiesAsync([identityProvider.AcsUrl]), c => c.Name == "auth-token" && c.Value == endedSession.Value);
        await StartSsoAsync(returning, personEmail);
        await returning.WaitForURLAsync(new Regex("^" + Regex.Escape(portal.BaseUrl) + "/$"));
        await Assertions.Expect(returning.GetByTestId("org-name")).ToHaveTextAsync(organization);
        var again = JsonDocument.Parse(await (await returning.APIRequest.GetAsync("/api/auth/me")).TextAsync()).RootElement;
        Assert.Equal(personEmail, again.GetProperty("email").GetString());
    }

    private static int UnusedPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// The identity provider's pages at <see cref="TestIdentityProvider.SsoUrl"/>, in one browser context: each
    /// AuthnRequest is answered for <see cref="NextPerson"/> with a response signed by the provider's key, in an
    /// auto-submitting form (the HTTP-POST binding); with <see cref="Replay"/> set, that form is served as it was.
    /// </summary>
    private sealed class IdentityProviderPages(TestIdentityProvider provider, string spEntityId, string acsUrl)
    {
        public string AcsUrl => acsUrl;

        /// <summary>Where the connection sends people; the routes of a context follow the value it had when they were set up.</summary>
        public string SsoUrl { get; set; } = TestIdentityProvider.SsoUrl;

        public (string Email, string Name) NextPerson { get; set; }

        public (string SamlResponse, string RelayState)? Replay { get; set; }

        /// <summary>The forms answered to an AuthnRequest so far, in order.</summary>
        public List<(string SamlResponse, string RelayState)> Answered { get; } = [];

        public async Task PlayInAsync(IBrowserContext context)
        {
            // Playwright does not intercept the target of a redirect (microsoft/playwright#33882): the server's 302 to the
            // identity provider is read here and followed by the page itself, a navigation the route below then answers.
            await context.RouteAsync(new Regex("/api/auth/sso/start\\?"), async route =>
            {
                if (!route.Request.IsNavigationRequest)
                {
                    await route.ContinueAsync(); // the sign-in page's own look at the answer (fetch, redirect: manual)
                    return;
                }
                var start = await route.FetchAsync(new() { MaxRedirects = 0 });
                if (start.Status != 302 || !start.Headers.TryGetValue("location", out var location))
                {
                    await route.FulfillAsync(new() { Response = start });
                    return;
                }
                await route.FulfillAsync(new()
                {
                    Status = 200,
                    ContentType = "text/html; charset=utf-8",
                    Body = $"<!doctype html><html lang=\"en\"><title>Redirecting</title><script>location.replace({JsonSerializer.Serialize(location)});</script></html>",
                });
            });
            var ssoUrl = SsoUrl;
            await context.RouteAsync(new Uri(ssoUrl).GetLeftPart(UriPartial.Authority) + "/**", route => AnswerAsync(route, ssoUrl));
        }

        private async Task AnswerAsync(IRoute route, string ssoUrl)
        {
            if (Replay is { } replay)
            {
                await route.FulfillAsync(Page(replay));
                return;
            }
            var url = route.Request.Url;
            if (route.Request.Method != "GET" || !url.StartsWith(ssoUrl + "?", StringComparison.Ordinal))
            {
                await route.FulfillAsync(new() { Status = 404, ContentType = "text/plain", Body = "Not an AuthnRequest of the HTTP-Redirect binding: " + url });
                return;
            }
            var (email, name) = NextPerson;
            var response = provider.Response(new TestIdentityProvider.Assertion(email, spEntityId, acsUrl,
                TestIdentityProvider.RequestIdFrom(url), DateTimeOffset.UtcNow, Email: email, Name: name));
            var form = (TestIdentityProvider.Encode(response), TestIdentityProvider.RelayStateFrom(url));
            Answered.Add(form);
            await route.FulfillAsync(Page(form));
        }

        private RouteFulfillOptions Page((string SamlResponse, string RelayState) form) => new()
        {
            Status = 200,
            ContentType = "text/html; charset=utf-8",
            Body = $"""
                <!doctype html>
                <html lang="en"><head><meta charset="utf-8"><title>Test IdP</title></head>
                <body>
                <form method="post" action="{WebUtility.HtmlEncode(acsUrl)}">
                <input type="hidden" name="SAMLResponse" value="{WebUtility.HtmlEncode(form.SamlResponse)}">
                <input type="hidden" name="RelayState" value="{WebUtility.HtmlEncode(form.RelayState)}">
                <noscript><button type="submit">Continue</button></noscript>
                </form>
                <script>document.forms[0].submit();</script>
                </body></html>
                """,
        };
    }
}
