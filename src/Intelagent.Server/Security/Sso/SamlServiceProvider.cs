using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography.Xml;
using System.Text;
using System.Xml;
using Intelagent.Server.Platform.Problems;

namespace Intelagent.Server.Security.Sso;

/// <summary>What a valid assertion says about the person.</summary>
public sealed record SamlIdentity(string NameId, string? Email, string? Name, string AssertionId, DateTimeOffset NotOnOrAfter);

/// <summary>What an assertion must match: the identity provider, its certificate, and this service provider's own addresses.</summary>
public sealed record SamlExpectations(
    string IdpEntityId, X509Certificate2 IdpCertificate, string SpEntityId, string AcsUrl, string ExpectedRequestId, DateTimeOffset Now);

/// <summary>
/// A small SAML 2.0 service provider on <see cref="SignedXml"/> (no SAML library is served here).
/// It accepts exactly one unencrypted assertion, signed (itself or through the whole response) by the
/// configured certificate with RSA-SHA256/512, and checks issuer, audience, recipient, destination,
/// InResponseTo and the validity window. Against signature wrapping it refuses duplicate IDs, a second
/// assertion anywhere, references other than the one element it reads, and unexpected transforms.
/// Replay is checked by the caller, which stores the assertion id until it expires.
/// </summary>
public static class SamlServiceProvider
{
    public const string ProtocolNamespace = "urn:oasis:names:tc:SAML:2.0:protocol";
    public const string AssertionNamespace = "urn:oasis:names:tc:SAML:2.0:assertion";
    public const int MaxResponseBytes = 256 * 1024;
    private static readonly TimeSpan Skew = TimeSpan.FromMinutes(2);

    private static readonly HashSet<string> AllowedTransforms =
        [SignedXml.XmlDsigEnvelopedSignatureTransformUrl, SignedXml.XmlDsigExcC14NTransformUrl, SignedXml.XmlDsigExcC14NWithCommentsTransformUrl];

    private static readonly HashSet<string> AllowedSignatureMethods =
        ["http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512"];

    private static readonly string[] EmailAttributes =
        ["email", "mail", "emailaddress", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress", "urn:oid:0.9.2342.19200300.100.1.3"];

    private static readonly string[] NameAttributes =
        ["name", "displayname", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", "urn:oid:2.16.840.1.113730.3.1.241"];

    /// <summary>The HTTP-Redirect binding URL that sends the browser to the identity provider, signed when a certificate is given.</summary>
    public static string BuildRedirectUrl(string idpSsoUrl, string spEntityId, string acsUrl, string requestId, string relayState, DateTimeOffset now,
        X509Certificate2? signingCertificate = null)
    {
        var xml = $"""<samlp:AuthnRequest xmlns:samlp="{ProtocolNamespace}" xmlns:saml="{AssertionNamespace}" ID="{requestId}" Version="2.0" IssueInstant="{now.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture)}" Destination="{Escape(idpSsoUrl)}" AssertionConsumerServiceURL="{Escape(acsUrl)}" ProtocolBinding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"><saml:Issuer>{Escape(spEntityId)}</saml:Issuer><samlp:NameIDPolicy Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" AllowCreate="true"/></samlp:AuthnRequest>""";
        using var buffer = new MemoryStream();
        using (var deflate = new DeflateStream(buffer, CompressionLevel.Optimal, leaveOpen: true))
            deflate.Write(Encoding.UTF8.GetBytes(xml));
        var separator = idpSsoUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var query = $"SAMLRequest={Uri.EscapeDataString(Convert.ToBase64String(buffer.ToArray()))}&RelayState={Uri.EscapeDataString(relayState)}";
        return $"{idpSsoUrl}{separator}{(signingCertificate is null ? query : SamlRedirectSignature.Sign(query, signingCertificate))}";
    }

    /// <summary>The service provider's metadata, for the identity provider's administrator.</summary>
    public static string Metadata(string spEntityId, string acsUrl, X509Certificate2? signingCertificate = null) =>
        $"""<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="{Escape(spEntityId)}"><md:SPSSODescriptor AuthnRequestsSigned="{(signingCertificate is null ? "false" : "true")}" WantAssertionsSigned="true" protocolSupportEnumeration="{ProtocolNamespace}">{(signingCertificate is null ? "" : SamlRedirectSignature.KeyDescriptor(signingCertificate))}<md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat><md:AssertionConsumerService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{Escape(acsUrl)}" index="0" isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>""";

    public static Result<SamlIdentity> Validate(string? samlResponse, SamlExpectations expected)
    {
        var document = Load(samlResponse);
        if (document is null) return Refuse("saml_malformed", "SAMLResponse is not a base64-encoded SAML response document.");
        var response = document.DocumentElement!;
        if (response.LocalName != "Response" || response.NamespaceURI != ProtocolNamespace)
            return Refuse("saml_malformed", "The document is not a SAML 2.0 Response.");
        if (!UniqueIds(document)) return Refuse("saml_signature_invalid", "The response holds duplicate IDs.");
        if (document.GetElementsByTagName("EncryptedAssertion", AssertionNamespace).Count > 0)
            return Refuse("saml_unsupported", "Encrypted assertions are not supported; send the assertion signed, over HTTPS.");
        var assertions = document.GetElementsByTagName("Assertion", AssertionNamespace);
        if (assertions.Count != 1 || assertions[0]!.ParentNode != response)
            return Refuse("saml_signature_invalid", "The response must hold exactly one assertion, directly inside it.");
        var assertion = (XmlElement)assertions[0]!;

        var status = Child(Child(response, ProtocolNamespace, "Status"), ProtocolNamespace, "StatusCode")?.GetAttribute("Value");
        if (status != "urn:oasis:names:tc:SAML:2.0:status:Success")
            return Refuse("saml_not_successful", $"The identity provider answered {status ?? "without a status"}.");

        if (!(SignedBy(response, document, expected.IdpCertificate) || SignedBy(assertion, document, expected.IdpCertificate)))
            return Refuse("saml_signature_invalid", "Neither the response nor the assertion carries a valid signature by the configured certificate.");

        var destination = response.GetAttribute("Destination");
        if (destination.Length > 0 && destination != expected.AcsUrl)
            return Refuse("saml_wrong_recipient", "The response is addressed to another destination.");
        var responseIssuer = Child(response, AssertionNamespace, "Issuer")?.InnerText;
        if (responseIssuer is not null && responseIssuer != expected.IdpEntityId || Child(assertion, AssertionNamespace, "Issuer")?.InnerText != expected.IdpEntityId)
            return Refuse("saml_wrong_issuer", "The assertion was issued by another identity provider.");

        var conditions = Child(assertion, AssertionNamespace, "Conditions");
        if (conditions is null) return Refuse("saml_expired", "The assertion has no validity window.");
        if (Instant(conditions, "NotBefore") is { } notBefore && expected.Now + Skew < notBefore)
            return Refuse("saml_not_yet_valid", "The assertion is not valid yet.");
        if (Instant(conditions, "NotOnOrAfter") is not { } notOnOrAfter || expected.Now - Skew >= notOnOrAfter)
            return Refuse("saml_expired", "The assertion has expired.");
        var audiences = conditions.GetElementsByTagName("Audience", AssertionNamespace).Cast<XmlElement>().Select(a => a.InnerText.Trim());
        if (!audiences.Contains(expected.SpEntityId))
            return Refuse("saml_wrong_audience", "The assertion is meant for another service provider.");

        var subject = Child(assertion, AssertionNamespace, "Subject");
        var confirmation = subject?.GetElementsByTagName("SubjectConfirmationData", AssertionNamespace).Cast<XmlElement>().FirstOrDefault();
        if (confirmation is null || confirmation.GetAttribute("Recipient") != expected.AcsUrl)
            return Refuse("saml_wrong_recipient", "The assertion's recipient is not this service provider's address.");
        if (Instant(confirmation, "NotOnOrAfter") is { } confirmUntil && expected.Now - Skew >= confirmUntil)
            return Refuse("saml_expired", "The assertion's subject confirmation has expired.");
        if (confirmation.GetAttribute("InResponseTo") != expected.ExpectedRequestId || response.GetAttribute("InResponseTo") is { Length: > 0 } inResponseTo && inResponseTo != expected.ExpectedRequestId)
            return Refuse("saml_unsolicited", "The assertion does not answer the sign-in request this browser started.");

        var nameId = Child(subject!, AssertionNamespace, "NameID")?.InnerText.Trim();
        if (string.IsNullOrEmpty(nameId)) return Refuse("saml_malformed", "The assertion names no subject.");
        var attributes = assertion.GetElementsByTagName("Attribute", AssertionNamespace).Cast<XmlElement>()
            .Select(a => (Name: a.GetAttribute("Name").ToLowerInvariant(), Value: a.GetElementsByTagName("AttributeValue", AssertionNamespace).Cast<XmlElement>().FirstOrDefault()?.InnerText.Trim()))
            .Where(a => !string.IsNullOrEmpty(a.Value)).ToList();
        var email = attributes.FirstOrDefault(a => EmailAttributes.Contains(a.Name)).Value ?? (nameId.Contains('@', StringComparison.Ordinal) ? nameId : null);
        var name = attributes.FirstOrDefault(a => NameAttributes.Contains(a.Name)).Value;
        return new SamlIdentity(nameId, email, name, assertion.GetAttribute("ID"), notOnOrAfter);
    }

    /// <summary>
    /// True if <paramref name="element"/> has, as a direct child, a signature by <paramref name="certificate"/>
    /// whose only reference is the element itself (so a signed element elsewhere proves nothing about it).
    /// </summary>
    private static bool SignedBy(XmlElement element, XmlDocument document, X509Certificate2 certificate)
    {
        var signatureElement = Child(element, SignedXml.XmlDsigNamespaceUrl, "Signature");
        var id = element.GetAttribute("ID");
        if (signatureElement is null || id.Length == 0) return false;
        var signed = new SignedXml(document);
        try
        {
            signed.LoadXml(signatureElement);
            if (signed.SignedInfo?.References.Count != 1 || signed.SignedInfo.References[0] is not Reference reference) return false;
            if (reference.Uri != "#" + id || !AllowedSignatureMethods.Contains(signed.SignedInfo.SignatureMethod ?? "")) return false;
            for (var index = 0; index < reference.TransformChain.Count; index++)
                if (!AllowedTransforms.Contains(reference.TransformChain[index].Algorithm ?? "")) return false;
            if (!ReferenceEquals(signed.GetIdElement(document, id), element)) return false;
            return signed.CheckSignature(certificate, verifySignatureOnly: true);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return false;
        }
    }

    private static XmlDocument? Load(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64) || base64.Length > MaxResponseBytes * 4 / 3 + 4) return null;
        byte[] bytes;
        try { bytes = Convert.FromBase64String(base64.Trim()); }
        catch (FormatException) { return null; }
        var document = new XmlDocument { PreserveWhitespace = true, XmlResolver = null };
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = MaxResponseBytes };
        try
        {
            using var reader = XmlReader.Create(new MemoryStream(bytes), settings);
            document.Load(reader);
            return document.DocumentElement is null ? null : document;
        }
        catch (XmlException) { return null; }
    }

    private static bool UniqueIds(XmlDocument document)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (XmlElement element in document.GetElementsByTagName("*"))
            foreach (var name in (string[])["ID", "Id", "id"])
                if (element.GetAttribute(name) is { Length: > 0 } value && !seen.Add(value)) return false;
        return true;
    }

    private static XmlElement? Child(XmlElement? parent, string ns, string localName) =>
        parent?.ChildNodes.OfType<XmlElement>().FirstOrDefault(e => e.LocalName == localName && e.NamespaceURI == ns);

    private static DateTimeOffset? Instant(XmlElement element, string attribute) =>
        DateTimeOffset.TryParse(element.GetAttribute(attribute), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value) ? value : null;

    private static string Escape(string value) => System.Security.SecurityElement.Escape(value);

    private static Error Refuse(string code, string detail) => new(401, code, detail);
}
