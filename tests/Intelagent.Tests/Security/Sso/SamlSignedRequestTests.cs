using System.IO.Compression;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Xml;
using Intelagent.Server.Security.Sso;
using Microsoft.Extensions.Configuration;

namespace Intelagent.Tests.Security.Sso;

/// <summary>Signed AuthnRequests in the HTTP-Redirect binding, checked as an identity provider checks them.</summary>
public sealed class SamlSignedRequestTests
{
    private static X509Certificate2 NewCertificate()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Intelagent SP", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    private static string Build(X509Certificate2? certificate, string relayState = "state-1") =>
        SamlServiceProvider.BuildRedirectUrl("https://idp.example.test/sso?tenant=7", "https://sp.example.test/metadata", "https://sp.example.test/acs",
            "_request42", relayState, DateTimeOffset.UtcNow, certificate);

    /// <summary>What the identity provider does: the signed octets are the query up to SigAlg, exactly as received.</summary>
    private static bool Verifies(string url, X509Certificate2 certificate)
    {
        var query = url[(url.IndexOf("SAMLRequest=", StringComparison.Ordinal))..];
        var at = query.IndexOf("&Signature=", StringComparison.Ordinal);
        var signed = query[..at];
        var signature = Convert.FromBase64String(Uri.UnescapeDataString(query[(at + "&Signature=".Length)..]));
        using var key = certificate.GetRSAPublicKey()!;
        return key.VerifyData(Encoding.UTF8.GetBytes(signed), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
    }

    private static string Parameter(string url, string name) =>
        Uri.UnescapeDataString(url.Split('?', 2)[1].Split('&').Single(p => p.StartsWith(name + "=", StringComparison.Ordinal))[(name.Length + 1)..]);

    [Fact]
    public void RedirectUrl_WithACertificate_ShouldCarryARsaSha256SignatureOverTheQuery()
    {
        using var certificate = NewCertificate();

        var url = Build(certificate);

        Assert.Equal(SamlRedirectSignature.RsaSha256, Parameter(url, "SigAlg"));
        Assert.True(Verifies(url, certificate));
        using var inflated = new StreamReader(new DeflateStream(new MemoryStream(Convert.FromBase64String(Parameter(url, "SAMLRequest"))), CompressionMode.Decompress));
        var request = new XmlDocument();
        request.LoadXml(inflated.ReadToEnd());
        Assert.Equal("_request42", request.DocumentElement!.GetAttribute("ID"));
        Assert.StartsWith("https://idp.example.test/sso?tenant=7&SAMLRequest=", url);
    }

    [Fact]
    public void RedirectUrl_WithAnEditedRelayState_OrAnotherKey_ShouldNotVerify()
    {
        using var certificate = NewCertificate();
        using var other = NewCertificate();
        var url = Build(certificate);

        Assert.False(Verifies(url.Replace("RelayState=state-1", "RelayState=state-2", StringComparison.Ordinal), certificate));
        Assert.False(Verifies(url, other));
    }

    [Fact]
    public void RedirectUrl_WithoutACertificate_ShouldStayUnsigned()
    {
        var url = Build(null);

        Assert.DoesNotContain("SigAlg=", url);
        Assert.DoesNotContain("Signature=", url);
    }

    [Fact]
    public void Metadata_WithACertificate_ShouldPublishItAndSayRequestsAreSigned()
    {
        using var certificate = NewCertificate();

        var metadata = new XmlDocument();
        metadata.LoadXml(SamlServiceProvider.Metadata("https://sp.example.test/metadata", "https://sp.example.test/acs", certificate));

        var names = new XmlNamespaceManager(metadata.NameTable);
        names.AddNamespace("md", "urn:oasis:names:tc:SAML:2.0:metadata");
        names.AddNamespace("ds", "http://www.w3.org/2000/09/xmldsig#");
        var descriptor = metadata.SelectSingleNode("//md:SPSSODescriptor", names)!;
        Assert.Equal("true", descriptor.Attributes!["AuthnRequestsSigned"]!.Value);
        Assert.Equal("KeyDescriptor", descriptor.FirstChild!.LocalName);
        Assert.Equal(Convert.ToBase64String(certificate.RawData), metadata.SelectSingleNode("//md:KeyDescriptor[@use='signing']//ds:X509Certificate", names)!.InnerText);
        Assert.Contains("AuthnRequestsSigned=\"false\"", SamlServiceProvider.Metadata("https://sp.example.test/metadata", "https://sp.example.test/acs"));
    }

    [Fact]
    public void SigningCertificate_FromConfiguration_ShouldLoadThePkcs12File()
    {
        using var certificate = NewCertificate();
        var path = Path.Combine(Path.GetTempPath(), $"intelagent-saml-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "pw"));
        try
        {
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                [SamlSigningCertificate.CertificateSetting] = path,
                [SamlSigningCertificate.PasswordSetting] = "pw",
            }).Build();

            var loaded = SamlSigningCertificate.FromConfiguration(configuration).Certificate;

            Assert.NotNull(loaded);
            Assert.True(Verifies(Build(loaded), certificate));
            Assert.Null(SamlSigningCertificate.FromConfiguration(new ConfigurationBuilder().Build()).Certificate);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
