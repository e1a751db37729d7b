using System.Security.Cryptography;
using System.Xml;
using Intelagent.Server.Security.Sso;

namespace Intelagent.Tests.Security.Sso;

/// <summary>The SAML service provider against responses a test identity provider signs.</summary>
public sealed class SamlServiceProviderTests : IDisposable
{
    private const string Sp = "https://app.tests.intelagent.test/api/auth/sso/saml/sso_1/metadata";
    private const string Acs = "https://app.tests.intelagent.test/api/auth/sso/saml/sso_1/acs";
    private const string RequestId = "_request1";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly TestIdentityProvider _idp = new();

    private TestIdentityProvider.Assertion Good(string? id = null) =>
        new("alice@acme.test", Sp, Acs, RequestId, Now.AddSeconds(-5), Email: "alice@acme.test", Id: id);

    private Intelagent.Server.Platform.Problems.Result<SamlIdentity> Validate(XmlDocument response, DateTimeOffset? now = null) =>
        SamlServiceProvider.Validate(TestIdentityProvider.Encode(response), new SamlExpectations(TestIdentityProvider.EntityId, _idp.Certificate, Sp, Acs, RequestId, now ?? Now));

    [Theory]
    [InlineData(SignWhat.Assertion)]
    [InlineData(SignWhat.Response)]
    public void Validate_WhenSignedByTheConfiguredCertificate_ShouldAnswerThePerson(SignWhat sign)
    {
        var result = Validate(_idp.Response(Good(), sign));

        Assert.True(result.IsSuccess, result.Error?.Detail);
        Assert.Equal("alice@acme.test", result.Value!.Email);
        Assert.Equal("alice@acme.test", result.Value.NameId);
    }

    [Fact]
    public void Validate_WhenUnsigned_ShouldRefuse() => AssertRefused(Validate(_idp.Response(Good(), SignWhat.Nothing)), "saml_signature_invalid");

    [Fact]
    public void Validate_WhenTheSubjectIsEditedAfterSigning_ShouldRefuse()
    {
        var response = _idp.Response(Good());
        response.GetElementsByTagName("NameID", SamlServiceProvider.AssertionNamespace)[0]!.InnerText = "mallory@acme.test";

        AssertRefused(Validate(response), "saml_signature_invalid");
    }

    [Fact]
    public void Validate_WhenSignedByAnotherKey_ShouldRefuse()
    {
        using var other = RSA.Create(2048);
        AssertRefused(Validate(_idp.Response(Good(), SignWhat.Assertion, other)), "saml_signature_invalid");
    }

    [Fact]
    public void Validate_WhenExpired_ShouldRefuse() => AssertRefused(Validate(_idp.Response(Good()), Now.AddMinutes(10)), "saml_expired");

    [Fact]
    public void Validate_WhenNotYetValid_ShouldRefuse() => AssertRefused(Validate(_idp.Response(Good()), Now.AddMinutes(-10)), "saml_not_yet_valid");

    [Fact]
    public void Validate_WhenMeantForAnotherServiceProvider_ShouldRefuse() =>
        AssertRefused(Validate(_idp.Response(Good() with { Audience = "https://other.example/sp" })), "saml_wrong_audience");

    [Fact]
    public void Validate_WhenAddressedToAnotherRecipient_ShouldRefuse() =>
        AssertRefused(Validate(_idp.Response(Good() with { Recipient = "https://other.example/acs" })), "saml_wrong_recipient");

    [Fact]
    public void Validate_WhenAnsweringAnotherRequest_ShouldRefuse() =>
        AssertRefused(Validate(_idp.Response(Good() with { InResponseTo = "_someone_elses" })), "saml_unsolicited");

    [Fact]
    public void Validate_WhenIssuedByAnotherProvider_ShouldRefuse() =>
        AssertRefused(Validate(_idp.Response(Good() with { Issuer = "https://evil.example/idp" })), "saml_wrong_issuer");

    /// <summary>Signature wrapping: an unsigned assertion for mallory beside alice's signed one.</summary>
    [Fact]
    public void Validate_WhenAnUnsignedAssertionSitsBesideASignedOne_ShouldRefuse()
    {
        var response = _idp.Response(Good());
        var evil = new XmlDocument { PreserveWhitespace = true };
        evil.LoadXml(TestIdentityProvider.AssertionXml(Good() with { NameId = "mallory@acme.test", Email = "mallory@acme.test" }));
        response.DocumentElement!.InsertAfter(response.ImportNode(evil.DocumentElement!, true), response.GetElementsByTagName("Status", SamlServiceProvider.ProtocolNamespace)[0]);

        AssertRefused(Validate(response), "saml_signature_invalid");
    }

    /// <summary>Signature wrapping: alice's signed assertion hidden in an extension, mallory's unsigned one in its place, same ID.</summary>
    [Fact]
    public void Validate_WhenTheSignedAssertionIsMovedAndReplacedUnderItsId_ShouldRefuse()
    {
        var response = _idp.Response(Good(id: "_shared"));
        var signed = (XmlElement)response.GetElementsByTagName("Assertion", SamlServiceProvider.AssertionNamespace)[0]!;
        var extensions = response.CreateElement("samlp", "Extensions", SamlServiceProvider.ProtocolNamespace);
        response.DocumentElement!.RemoveChild(signed);
        extensions.AppendChild(signed);
        response.DocumentElement.InsertBefore(extensions, response.DocumentElement.FirstChild!.NextSibling);
        var evil = new XmlDocument { PreserveWhitespace = true };
        evil.LoadXml(TestIdentityProvider.AssertionXml(Good(id: "_shared") with { NameId = "mallory@acme.test", Email = "mallory@acme.test" }));
        response.DocumentElement.AppendChild(response.ImportNode(evil.DocumentElement!, true));

        AssertRefused(Validate(response), "saml_signature_invalid");
    }

    /// <summary>Signature wrapping: the evil assertion carries a copy of the signature of another element.</summary>
    [Fact]
    public void Validate_WhenASignatureIsCopiedOntoAnotherAssertion_ShouldRefuse()
    {
        var signedResponse = _idp.Response(Good());
        var signature = signedResponse.GetElementsByTagName("Signature", SignedXmlNamespace)[0]!;
        var response = _idp.Response(Good() with { NameId = "mallory@acme.test", Email = "mallory@acme.test" }, SignWhat.Nothing);
        var assertion = (XmlElement)response.GetElementsByTagName("Assertion", SamlServiceProvider.AssertionNamespace)[0]!;
        assertion.InsertAfter(response.ImportNode(signature, true), assertion.FirstChild);

        AssertRefused(Validate(response), "saml_signature_invalid");
    }

    [Theory]
    [InlineData("not base64 at all")]
    [InlineData("PD94bWwgdmVyc2lvbj0iMS4wIj8+PCFET0NUWVBFIHggWzwhRU5USVRZIGEgIngiPl0+PHg+JmE7PC94Pg==")] // a DTD with an entity
    [InlineData("")]
    public void Validate_WhenNotAResponse_ShouldRefuse(string input)
    {
        var result = SamlServiceProvider.Validate(input, new SamlExpectations(TestIdentityProvider.EntityId, _idp.Certificate, Sp, Acs, RequestId, Now));
        AssertRefused(result, "saml_malformed");
    }

    private const string SignedXmlNamespace = "http://www.w3.org/2000/09/xmldsig#";

    private static void AssertRefused(Intelagent.Server.Platform.Problems.Result<SamlIdentity> result, string code)
    {
        Assert.False(result.IsSuccess, "expected a refusal");
        Assert.Equal(code, result.Error!.Code);
    }

    public void Dispose() => _idp.Dispose();
}
