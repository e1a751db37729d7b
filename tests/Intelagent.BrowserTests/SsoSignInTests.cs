using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Intelagent.Tests.Security.Sso;
using Microsoft.Playwright;
using static Intelagent.BrowserTests.PortalPages;
using static Intelagent.BrowserTests.SsoSteps;

namespace Intelagent.BrowserTests;

/// <summary>
/// Single sign-on from the portal, end to end: an owner sets up OpenID Connect in the security center and
/// proves a domain through DNS (the fixture's responder, which the server asks), then someone of that
/// domain signs in through the provider and arrives as a just-in-time member.
/// </summary>
[Collection(PortalCollection.Name)]
public sealed class SsoSignInTests(PortalFixture portal)
{
    [Fact]
    public async Task Person_OfADomainTheOwnerVerified_ShouldSignInThroughSsoAsAJustInTimeMember()
    {
        await using var provider = await TestOpenIdProvider.StartAsync();
        var owner = await portal.NewPageAsync();
        var (ownerEmail, organization) = await RegisterAsync(owner);
        await SignInAsync(owner, ownerEmail, returnPath: "/security");
        await owner.GetByRole(AriaRole.Tab, new() { Name = "Single sign-on" }).ClickAsync();
        await Assertions.Expect(owner.GetByTestId("sso-empty")).ToContainTextAsync("No single sign-on connection yet");
        await Assertions.Expect(owner.GetByTestId("sso-domains-empty")).ToBeVisibleAsync();

        // Saved with nothing filled in: the service's field errors, each under its own field.
        await owner.GetByTestId("sso-save").ClickAsync();
        foreach (var field in (string[])["sso-oidc-authority", "sso-oidc-client-id", "sso-oidc-client-secret"])
            await Assertions.Expect(owner.GetByTestId(field)).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(owner.GetByText("This must be the provider's https URL")).ToBeVisibleAsync();
        await Assertions.Expect(owner.GetByTestId("sso-oidc").GetByText("This is required.")).ToHaveCountAsync(2);

        await owner.GetByLabel("Authority (issuer URL)").FillAsync(provider.Issuer);
        await owner.GetByLabel("Client id").FillAsync(TestOpenIdProvider.ClientId);
        await owner.GetByLabel("Client secret").FillAsync(TestOpenIdProvider.ClientSecret);
        await owner.GetByTestId("sso-save").ClickAsync();
        await Assertions.Expect(owner.GetByTestId("sso-oidc-secret-set")).ToBeVisibleAsync();
        await Assertions.Expect(owner.GetByTestId("sso-empty")).ToHaveCountAsync(0);
        Assert.Equal("", await owner.GetByLabel("Client secret").InputValueAsync()); // write-only: never sent back to the page
        var redirectUri = await owner.GetByLabel("Redirect URI", new() { Exact = true }).InputValueAsync();
        Assert.Matches("^" + Regex.Escape(portal.BaseUrl) + "/api/auth/sso/oidc/[^/]+/callback$", redirectUri);

        var domain = NewDomain();
        await owner.GetByLabel("Domain to claim").FillAsync(domain);
        await owner.GetByLabel("Domain to claim").PressAsync("Enter"); // the claim is a form: Enter submits it
        var claimed = owner.GetByTestId($"sso-domain-{domain}");
        await Assertions.Expect(claimed.GetByTestId("sso-domain-status")).ToHaveTextAsync("not verified");
        var recordName = await owner.GetByLabel($"TXT record name for {domain}", new() { Exact = true }).InputValueAsync();
        var recordValue = await owner.GetByLabel($"TXT record value for {domain}", new() { Exact = true }).InputValueAsync();
        Assert.Equal("_intelagent-verification." + domain, recordName);
        Assert.StartsWith("intelagent-verification=", recordValue);

        // Before the record is published the server's DNS answers NXDOMAIN: the API's problem, said plainly.
        var verify = claimed.GetByRole(AriaRole.Button, new() { Name = $"Verify {domain}" });
        await verify.ClickAsync();
        await Assertions.Expect(claimed.GetByTestId("sso-domain-problem")).ToContainTextAsync($"No TXT record {recordName} with the value {recordValue} was found");
        await Assertions.Expect(claimed.GetByTestId("sso-domain-status")).ToHaveTextAsync("not verified");
        await ScreenshotAsync(owner, "security-sso-unverified-domain");

        portal.Dns.Publish(recordName, recordValue);
        await verify.ClickAsync();
        await Assertions.Expect(claimed.GetByTestId("sso-domain-status")).ToHaveTextAsync("verified");
        await Assertions.Expect(claimed.GetByTestId("sso-domain-problem")).ToHaveCountAsync(0);

        // Saved disabled at first; switched on now that the domain is proven.
        Assert.False((await SsoConnectionAsync(owner)).GetProperty("enabled").GetBoolean());
        await owner.GetByLabel("Enabled: people of the verified domains can sign in through it").CheckAsync();
        await owner.GetByTestId("sso-save").ClickAsync();
        await WaitUntilAsync(async () => (await SsoConnectionAsync(owner)).GetProperty("enabled").GetBoolean(), "the connection to be enabled");
        await Assertions.Expect(owner.GetByRole(AriaRole.Progressbar, new() { Name = "Loading single sign-on" })).ToHaveCountAsync(0);
        await ScreenshotAsync(owner, "security-sso");
        // The theme's filled success toast (white on green) fails axe's contrast rule, as ComplianceCenterTests
        // notes: the panel is checked once the toasts have gone.
        await Assertions.Expect(owner.Locator(".mud-snackbar")).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Accessibility.AssertNoSeriousViolationsAsync(owner, "security single sign-on");

        // A provider vouching for an email outside the verified domains is refused, and the sign-in page says why.
        var suffix = Guid.NewGuid().ToString("N")[..6];
        provider.NextUser = ($"sub-eve-{suffix}", $"eve-{suffix}@elsewhere.test", "Eve Elsewhere", true);
        var stranger = await portal.NewPageAsync();
        await StartSsoAsync(stranger, $"eve-{suffix}@{domain}");
        await stranger.WaitForURLAsync(new Regex("/sign-in\\?error=sso_domain_not_verified$"));
        await Assertions.Expect(stranger.GetByTestId("sign-in-error")).ToContainTextAsync("whose domain your organization has not verified");
        Assert.Equal(401, (await stranger.APIRequest.GetAsync("/api/auth/me")).Status);
        await stranger.Context.CloseAsync();

        // Someone of that domain, in a browser of their own, through the sign-in page's SSO step and the provider.
        var personEmail = $"pat-{suffix}@{domain}";
        provider.NextUser = ($"sub-pat-{suffix}", personEmail, "Pat Provider", true);
        var person = await portal.NewPageAsync();
        await StartSsoAsync(person, personEmail);
        await person.WaitForURLAsync(new Regex("^" + Regex.Escape(portal.BaseUrl) + "/$"));
        await Assertions.Expect(person.GetByTestId("org-name")).ToHaveTextAsync(organization);
        await ScreenshotAsync(person, "sso-signed-in");
        await person.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await Assertions.Expect(person.GetByRole(AriaRole.Menu)).ToContainTextAsync("Pat Provider");
        await Assertions.Expect(person.GetByRole(AriaRole.Menu)).ToContainTextAsync(personEmail);
        var me = JsonDocument.Parse(await (await person.APIRequest.GetAsync("/api/auth/me")).TextAsync()).RootElement;
        Assert.Equal(personEmail, me.GetProperty("email").GetString());
        Assert.Equal("member", me.GetProperty("role").GetString(), ignoreCase: true); // the connection's default role

        await owner.GotoAsync("/members");
        var row = owner.GetByTestId("members-table").GetByRole(AriaRole.Row).Filter(new() { HasText = personEmail });
        await Assertions.Expect(row).ToContainTextAsync("Pat Provider");
    }

    [Fact]
    public async Task Owner_ConfiguringSaml_ShouldSeeTheCertificateErrorThenTheValuesForTheIdentityProvider()
    {
        var page = await portal.NewPageAsync();
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = portal.BaseUrl });
        var (email, _) = await RegisterAsync(page);
        await SignInAsync(page, email, returnPath: "/security");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Single sign-on" }).ClickAsync();
        await page.GetByRole(AriaRole.Radio, new() { Name = "SAML 2.0" }).CheckAsync();
        await Assertions.Expect(page.GetByTestId("sso-sp-pending")).ToContainTextAsync("once the SAML connection is saved");

        await page.GetByLabel("Identity provider entity id").FillAsync("https://idp.example.test/entity");
        await page.GetByLabel("Single sign-on URL (HTTP-Redirect binding)").FillAsync("https://idp.example.test/sso");
        await page.GetByLabel("Signing certificate (PEM)").FillAsync("not a certificate");
        await page.GetByTestId("sso-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sso-saml-certificate")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByText("This must be an X.509 certificate, PEM or base64 DER.")).ToBeVisibleAsync();
        Assert.False((await SsoConnectionAsync(page)).GetProperty("configured").GetBoolean());

        using var key = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=Browser Test IdP", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        await page.GetByLabel("Signing certificate (PEM)").FillAsync(certificate.ExportCertificatePem());
        await page.GetByTestId("sso-save").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sso-saml")).ToContainTextAsync("Current: CN=Browser Test IdP");
        Assert.Equal("", await page.GetByLabel("Signing certificate (PEM)").InputValueAsync());
        var saved = await SsoConnectionAsync(page);
        Assert.Equal("saml", saved.GetProperty("protocol").GetString());
        var acs = await page.GetByLabel("Assertion consumer service (ACS) URL", new() { Exact = true }).InputValueAsync();
        Assert.Equal(saved.GetProperty("samlAcsUrl").GetString(), acs);
        Assert.StartsWith(portal.BaseUrl + "/api/auth/sso/saml/", acs);

        // The metadata URL, copied with its button, is what the identity provider can read.
        var metadataUrl = await page.GetByLabel("Metadata URL", new() { Exact = true }).InputValueAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Copy Metadata URL" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Metadata URL copied.")).ToBeVisibleAsync();
        Assert.Equal(metadataUrl, await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        var metadata = await page.APIRequest.GetAsync(metadataUrl);
        Assert.Equal(200, metadata.Status);
        Assert.Contains(acs, await metadata.TextAsync());
        await ScreenshotAsync(page, "security-sso-saml");

        await page.GetByTestId("sso-delete").ClickAsync();
        await page.GetByTestId("sso-delete-confirm").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sso-empty")).ToContainTextAsync("No single sign-on connection yet");
        Assert.False((await SsoConnectionAsync(page)).GetProperty("configured").GetBoolean());
    }

    [Fact]
    public async Task Manager_OnTheSingleSignOnTab_ShouldSeeTheSettingsWithoutChangingThem()
    {
        var page = await portal.NewPageAsync();
        await SignInAsync(page, "manager@globex.test", returnPath: "/security");
        await page.GetByRole(AriaRole.Tab, new() { Name = "Single sign-on" }).ClickAsync();

        await Assertions.Expect(page.GetByTestId("sso-read-only")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("sso-empty")).ToContainTextAsync("No single sign-on connection yet");
        await Assertions.Expect(page.GetByTestId("sso-domains")).ToContainTextAsync("No domains claimed yet.");
        await Assertions.Expect(page.GetByTestId("sso-connection")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("sso-save")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("sso-claim")).ToHaveCountAsync(0);
    }
}
