using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Intelagent.Server.Security.Sso;

/// <summary>
/// The service provider's signing certificate: <c>SAML_SP_CERTIFICATE</c> (a PKCS#12 file with an RSA
/// key) and <c>SAML_SP_CERTIFICATE_PASSWORD</c>. With it every AuthnRequest is signed and the metadata
/// publishes the certificate (<c>AuthnRequestsSigned="true"</c>), so an identity provider that
/// requires signed requests accepts ours; without it requests go unsigned as before.
/// </summary>
public sealed class SamlSigningCertificate(X509Certificate2? certificate)
{
    public const string CertificateSetting = "SAML_SP_CERTIFICATE";
    public const string PasswordSetting = "SAML_SP_CERTIFICATE_PASSWORD";

    public X509Certificate2? Certificate => certificate;

    public static SamlSigningCertificate FromConfiguration(IConfiguration configuration)
    {
        if (configuration[CertificateSetting] is not { Length: > 0 } path) return new SamlSigningCertificate(null);
        var loaded = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[PasswordSetting], X509KeyStorageFlags.EphemeralKeySet);
        if (loaded.GetRSAPrivateKey() is null) throw new InvalidOperationException($"{CertificateSetting} must hold an RSA certificate with its private key.");
        return new SamlSigningCertificate(loaded);
    }
}

/// <summary>The HTTP-Redirect binding's signature (SAML 2.0 Bindings §3.4.4.1).</summary>
public static class SamlRedirectSignature
{
    public const string RsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";

    /// <summary>
    /// Appends <c>SigAlg</c> and a <c>Signature</c> computed over the exact octets of
    /// <c>SAMLRequest=…&amp;RelayState=…&amp;SigAlg=…</c> as they travel (URL-encoded), which is what the
    /// identity provider verifies; the request XML itself carries no signature in this binding.
    /// </summary>
    public static string Sign(string query, X509Certificate2 certificate)
    {
        var signed = query + "&SigAlg=" + Uri.EscapeDataString(RsaSha256);
        using var key = certificate.GetRSAPrivateKey() ?? throw new InvalidOperationException("The SAML signing certificate has no RSA private key.");
        var signature = key.SignData(Encoding.UTF8.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signed + "&Signature=" + Uri.EscapeDataString(Convert.ToBase64String(signature));
    }

    /// <summary>The metadata element that tells the identity provider which certificate signs our requests.</summary>
    public static string KeyDescriptor(X509Certificate2 certificate) =>
        $"""<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{Convert.ToBase64String(certificate.RawData)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>""";
}
