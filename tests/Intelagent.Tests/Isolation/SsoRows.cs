using static Intelagent.Server.Platform.Authorization.Permissions;
using static Intelagent.Tests.Isolation.RowBuilder;

namespace Intelagent.Tests.Isolation;

/// <summary>Single sign-on: the organization's connection and domains, and the anonymous protocol endpoints.</summary>
public static class SsoRows
{
    public static readonly Row[] All =
    [
        R(Get, "/api/security/sso", SecuritySettingsRead, _ => "/api/security/sso", header: true),
        R(Put, "/api/security/sso", SecuritySettingsManage, _ => "/api/security/sso", _ => new { protocol = "saml", samlIdpEntityId = "https://idp.example.com", samlIdpSsoUrl = "https://idp.example.com/sso", samlIdpCertificate = Certificate }, header: true),
        R(Delete, "/api/security/sso", SecuritySettingsManage, _ => "/api/security/sso", header: true)
            with { Overrides = new Dictionary<Caller, int> { [Caller.Admin] = 404, [Caller.Owner] = 404 } },
        R(Post, "/api/security/sso/domains", SecuritySettingsManage, _ => "/api/security/sso/domains", _ => new { domain = $"{Guid.NewGuid():N}.example.com" }, header: true),
        R(Post, "/api/security/sso/domains/{domain}/verify", SecuritySettingsManage, _ => "/api/security/sso/domains/unclaimed.example.com/verify", header: true)
            with { Overrides = new Dictionary<Caller, int> { [Caller.Admin] = 404, [Caller.Owner] = 404 } },
        R(Delete, "/api/security/sso/domains/{domain}", SecuritySettingsManage, _ => "/api/security/sso/domains/unclaimed.example.com", header: true)
            with { Overrides = new Dictionary<Caller, int> { [Caller.Admin] = 404, [Caller.Owner] = 404 } },

        R(Get, "/api/auth/sso/start", Row.Anonymous, _ => "/api/auth/sso/start?email=someone@unclaimed.example.com")
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 404 } },
        R(Get, "/api/auth/sso/oidc/{connectionId}/callback", Row.Anonymous, _ => "/api/auth/sso/oidc/sso_01jd3k0000000000000000000/callback?code=x&state=y")
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 404 } },
        R(Post, "/api/auth/sso/saml/{connectionId}/acs", Row.Anonymous, _ => "/api/auth/sso/saml/sso_01jd3k0000000000000000000/acs", _ => new { })
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 400 } },
        R(Get, "/api/auth/sso/saml/{connectionId}/metadata", Row.Anonymous, _ => "/api/auth/sso/saml/sso_01jd3k0000000000000000000/metadata")
            with { Overrides = new Dictionary<Caller, int> { [Caller.Anonymous] = 404 } },
    ];

    /// <summary>A throwaway self-signed certificate, as an identity provider would hand over.</summary>
    private static readonly string Certificate = CreateCertificate();

    private static string CreateCertificate()
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=Isolation IdP", key,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        return Convert.ToBase64String(certificate.RawData);
    }
}
