using System.Globalization;
using System.IO.Compression;
using System.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;

namespace Intelagent.Tests.Security.Sso;

/// <summary>
/// A SAML identity provider in the test: a self-signed certificate of its own, and responses built
/// and signed with SignedXml the way real providers do (enveloped signature, exclusive C14N, RSA-SHA256).
/// </summary>
public sealed class TestIdentityProvider : IDisposable
{
    public const string EntityId = "https://idp.tests.intelagent.test/metadata";
    public const string SsoUrl = "https://idp.tests.intelagent.test/sso";
    private readonly RSA _key = RSA.Create(2048);

    public TestIdentityProvider()
    {
        var request = new CertificateRequest("CN=Test IdP", _key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        Certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
    }

    public X509Certificate2 Certificate { get; }

    public string CertificateBase64 => Convert.ToBase64String(Certificate.RawData);

    public sealed record Assertion(
        string NameId, string Audience, string Recipient, string InResponseTo, DateTimeOffset IssuedAt,
        string? Email = null, string Issuer = EntityId, TimeSpan? Lifetime = null, string? Id = null, string? Name = null);

    /// <summary>A response with one assertion; <paramref name="sign"/> says what carries the signature.</summary>
    public XmlDocument Response(Assertion a, SignWhat sign = SignWhat.Assertion, RSA? signingKey = null)
    {
        var document = new XmlDocument { PreserveWhitespace = true };
        document.LoadXml(ResponseXml(a));
        var key = signingKey ?? _key;
        if (sign == SignWhat.Assertion) Sign(document, (XmlElement)document.GetElementsByTagName("Assertion", "urn:oasis:names:tc:SAML:2.0:assertion")[0]!, key);
        if (sign == SignWhat.Response) Sign(document, document.DocumentElement!, key);
        return document;
    }

    public static string Encode(XmlDocument document) => Convert.ToBase64String(Encoding.UTF8.GetBytes(document.OuterXml));

    /// <summary>The ID of the AuthnRequest inside an HTTP-Redirect binding URL.</summary>
    public static string RequestIdFrom(string redirectUrl)
    {
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(redirectUrl).Query);
        using var inflate = new DeflateStream(new MemoryStream(Convert.FromBase64String(query["SAMLRequest"]!)), CompressionMode.Decompress);
        var document = new XmlDocument();
        document.Load(inflate);
        return document.DocumentElement!.GetAttribute("ID");
    }

    public static string RelayStateFrom(string redirectUrl) => System.Web.HttpUtility.ParseQueryString(new Uri(redirectUrl).Query)["RelayState"]!;

    public static string AssertionXml(Assertion a)
    {
        var issued = Instant(a.IssuedAt);
        var until = Instant(a.IssuedAt + (a.Lifetime ?? TimeSpan.FromMinutes(5)));
        var email = a.Email is null ? "" : Attribute("email", a.Email);
        var name = a.Name is null ? "" : Attribute("displayName", a.Name);
        var attributes = email.Length + name.Length == 0 ? "" : $"<saml:AttributeStatement>{email}{name}</saml:AttributeStatement>";
        return $"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{a.Id ?? "_a" + Guid.NewGuid().ToString("N")}" Version="2.0" IssueInstant="{issued}"><saml:Issuer>{a.Issuer}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">{a.NameId}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData InResponseTo="{a.InResponseTo}" NotOnOrAfter="{until}" Recipient="{a.Recipient}"/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="{issued}" NotOnOrAfter="{until}"><saml:AudienceRestriction><saml:Audience>{a.Audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="{issued}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>{attributes}</saml:Assertion>""";
    }

    private static string Attribute(string name, string value) =>
        $"""<saml:Attribute Name="{name}"><saml:AttributeValue>{SecurityElement.Escape(value)}</saml:AttributeValue></saml:Attribute>""";

    private static string ResponseXml(Assertion a) =>
        $"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r{Guid.NewGuid():N}" Version="2.0" IssueInstant="{Instant(a.IssuedAt)}" Destination="{a.Recipient}" InResponseTo="{a.InResponseTo}"><saml:Issuer>{a.Issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>{AssertionXml(a)}</samlp:Response>""";

    public static void Sign(XmlDocument document, XmlElement element, RSA key)
    {
        var signed = new SignedXml(document) { SigningKey = key };
        signed.SignedInfo!.CanonicalizationMethod = SignedXml.XmlDsigExcC14NTransformUrl;
        signed.SignedInfo.SignatureMethod = SignedXml.XmlDsigRSASHA256Url;
        var reference = new Reference("#" + element.GetAttribute("ID")) { DigestMethod = SignedXml.XmlDsigSHA256Url };
        reference.AddTransform(new XmlDsigEnvelopedSignatureTransform());
        reference.AddTransform(new XmlDsigExcC14NTransform());
        signed.AddReference(reference);
        signed.ComputeSignature();
        var signature = signed.GetXml();
        // Schema order: the signature follows the Issuer.
        var issuer = element.ChildNodes.OfType<XmlElement>().First(e => e.LocalName == "Issuer");
        element.InsertAfter(document.ImportNode(signature, true), issuer);
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}

public enum SignWhat
{
    Nothing,
    Assertion,
    Response,
}
