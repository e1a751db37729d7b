using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intelagent.Server.Platform.Authorization;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Http;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Sso;

/// <summary>Secrets of SSO connections, encrypted with the Data Protection keys every node shares.</summary>
public sealed class SsoSecrets(IDataProtectionProvider provider)
{
    public const string Purpose = "Intelagent.Sso.ClientSecret";
    private readonly IDataProtector _protector = provider.CreateProtector(Purpose);

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}

/// <summary>The current organization's SSO connection and its domains.</summary>
public sealed class SsoConnectionService(AppDb db, SsoSecrets secrets, SsoUrls urls, IDnsTxtLookup dns, IConfiguration configuration)
{
    public const int MaxDomains = 20;

    public async Task<SsoConnectionResponse> GetAsync(CancellationToken cancellationToken)
    {
        var connection = await db.Set<SsoConnection>().AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        return await DescribeAsync(connection, cancellationToken);
    }

    public async Task<Result<SsoConnectionResponse>> PutAsync(SsoConnectionRequest request, CancellationToken cancellationToken)
    {
        var connection = await db.Set<SsoConnection>().FirstOrDefaultAsync(cancellationToken);
        var validation = new Validation();
        SsoProtocol? protocol = request.Protocol switch
        {
            null => connection?.Protocol,
            "oidc" => SsoProtocol.Oidc,
            "saml" => SsoProtocol.Saml,
            _ => null,
        };
        validation.When(protocol is null, "protocol", "must be 'oidc' or 'saml'.");
        Role? role = request.DefaultRole switch
        {
            null => connection?.DefaultRole ?? Role.Member,
            "viewer" => Role.Viewer,
            "member" => Role.Member,
            "manager" => Role.Manager,
            _ => null,
        };
        validation.When(role is null, "defaultRole", "must be viewer, member or manager (SSO never grants admin or owner).");
        var authority = request.OidcAuthority?.Trim() ?? connection?.OidcAuthority;
        var clientId = request.OidcClientId?.Trim() ?? connection?.OidcClientId;
        var entityId = request.SamlIdpEntityId?.Trim() ?? connection?.SamlIdpEntityId;
        var ssoUrl = request.SamlIdpSsoUrl?.Trim() ?? connection?.SamlIdpSsoUrl;
        string? certificate = connection?.SamlIdpCertificate;
        // Both protocols' fields are stored whichever protocol is chosen, so their column lengths are checked either way.
        validation.Length("oidcAuthority", authority, 500).Length("oidcClientId", clientId, 200).Length("oidcClientSecret", request.OidcClientSecret, 500)
            .Length("samlIdpEntityId", entityId, 500).Length("samlIdpSsoUrl", ssoUrl, 1000);
        if (protocol == SsoProtocol.Oidc)
        {
            validation.When(!AcceptableUrl(authority), "oidcAuthority", "must be the provider's https URL (its discovery document lives under /.well-known/openid-configuration).");
            validation.Required("oidcClientId", clientId);
            validation.When(request.OidcClientSecret is null && connection?.OidcClientSecretProtected is null, "oidcClientSecret", "is required.");
        }
        else if (protocol == SsoProtocol.Saml)
        {
            validation.Required("samlIdpEntityId", entityId);
            validation.When(!AcceptableUrl(ssoUrl), "samlIdpSsoUrl", "must be the identity provider's https single sign-on URL (HTTP-Redirect binding).");
            if (request.SamlIdpCertificate is not null)
            {
                certificate = ParseCertificate(request.SamlIdpCertificate) is { } parsed ? Convert.ToBase64String(parsed.RawData) : null;
                validation.When(certificate is null, "samlIdpCertificate", "must be an X.509 certificate, PEM or base64 DER.");
            }
            validation.When(certificate is null && request.SamlIdpCertificate is null, "samlIdpCertificate", "is required.");
        }
        if (validation.Failed) return validation.ToError();

        var now = db.Clock.GetUtcNow();
        if (connection is null)
        {
            connection = new SsoConnection { Id = Id.New(IdPrefix.SsoConnection, db.Clock), OrganizationId = db.Request.OrganizationId!, CreatedAt = now };
            db.Set<SsoConnection>().Add(connection);
        }
        connection.Protocol = protocol!.Value;
        connection.DefaultRole = role!.Value;
        connection.Enabled = request.Enabled ?? connection.Enabled;
        connection.SsoOnly = request.SsoOnly ?? connection.SsoOnly;
        connection.OidcAuthority = authority;
        connection.OidcClientId = clientId;
        if (request.OidcClientSecret is { } secret) connection.OidcClientSecretProtected = secrets.Protect(secret);
        connection.SamlIdpEntityId = entityId;
        connection.SamlIdpSsoUrl = ssoUrl;
        connection.SamlIdpCertificate = certificate;
        connection.UpdatedAt = now;
        connection.Version++;
        await db.SaveChangesAsync(cancellationToken);
        return await DescribeAsync(connection, cancellationToken);
    }

    public async Task<Result<bool>> DeleteAsync(CancellationToken cancellationToken)
    {
        var connection = await db.Set<SsoConnection>().FirstOrDefaultAsync(cancellationToken);
        if (connection is null) return Error.NotFound("SSO connection");
        db.Set<SsoConnection>().Remove(connection);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<Result<SsoDomainResponse>> ClaimDomainAsync(SsoDomainRequest request, CancellationToken cancellationToken)
    {
        var domain = DomainProof.Normalize(request.Domain);
        if (domain is null) return Error.Validation("domain", "must be a domain name such as example.com.");
        var domains = db.Set<SsoDomain>();
        if (await domains.AnyAsync(d => d.Domain == domain, cancellationToken)) return Error.Conflict("domain_claimed", $"{domain} is already claimed by this organization.");
        if (await domains.CountAsync(cancellationToken) >= MaxDomains) return Error.Unprocessable("too_many_domains", $"An organization may claim at most {MaxDomains} domains.");
        var claim = new SsoDomain
        {
            Id = Id.New(IdPrefix.SsoDomain, db.Clock),
            OrganizationId = db.Request.OrganizationId!,
            Domain = domain,
            VerificationToken = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            CreatedAt = db.Clock.GetUtcNow(),
        };
        domains.Add(claim);
        await db.SaveChangesAsync(cancellationToken);
        return Describe(claim);
    }

    /// <summary>Checks the TXT record; a domain another organization has verified cannot be verified again.</summary>
    public async Task<Result<SsoDomainResponse>> VerifyDomainAsync(string domain, CancellationToken cancellationToken)
    {
        var claim = await db.Set<SsoDomain>().FirstOrDefaultAsync(d => d.Domain == domain, cancellationToken);
        if (claim is null) return Error.NotFound("domain");
        if (claim.VerifiedAt is not null) return Describe(claim);
        if (await db.Set<SsoDomain>().IgnoreQueryFilters().AnyAsync(d => d.Domain == domain && d.VerifiedAt != null && d.OrganizationId != claim.OrganizationId, cancellationToken))
            return Error.Conflict("domain_taken", $"{domain} is verified by another organization.");
        var records = await dns.TxtRecordsAsync(DomainProof.RecordName(domain), cancellationToken);
        if (!records.Contains(DomainProof.RecordValue(claim.VerificationToken)))
            return Error.Unprocessable("domain_not_verified", $"No TXT record {DomainProof.RecordName(domain)} with the value {DomainProof.RecordValue(claim.VerificationToken)} was found. DNS changes can take a while to appear.");
        claim.VerifiedAt = db.Clock.GetUtcNow();
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return Error.Conflict("domain_taken", $"{domain} was verified by another organization at the same time.");
        }
        return Describe(claim);
    }

    public async Task<Result<bool>> RemoveDomainAsync(string domain, CancellationToken cancellationToken)
    {
        var claim = await db.Set<SsoDomain>().FirstOrDefaultAsync(d => d.Domain == domain, cancellationToken);
        if (claim is null) return Error.NotFound("domain");
        db.Set<SsoDomain>().Remove(claim);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public static X509Certificate2? ParseCertificate(string text)
    {
        var body = text.Replace("-----BEGIN CERTIFICATE-----", "", StringComparison.Ordinal)
            .Replace("-----END CERTIFICATE-----", "", StringComparison.Ordinal);
        try
        {
            return X509CertificateLoader.LoadCertificate(Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c)))));
        }
        catch (Exception exception) when (exception is FormatException or CryptographicException)
        {
            return null;
        }
    }

    /// <summary>https, or plain http to a loopback provider when Sso:AllowHttpLoopback is set (tests, development).</summary>
    private bool AcceptableUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.UserInfo) &&
        (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback && configuration.GetValue<bool>("Sso:AllowHttpLoopback"));

    private async Task<SsoConnectionResponse> DescribeAsync(SsoConnection? c, CancellationToken cancellationToken)
    {
        var domains = (await db.Set<SsoDomain>().AsNoTracking().OrderBy(d => d.Domain).ToListAsync(cancellationToken)).Select(Describe).ToList();
        if (c is null) return new(false, null, null, false, false, "member", null, null, false, null, null, null, null, null, null, null, null, domains, null);
        var certificate = c.SamlIdpCertificate is { } raw ? ParseCertificate(raw) : null;
        var saml = c.Protocol == SsoProtocol.Saml;
        return new(true, c.Id, c.Protocol.ToString().ToLowerInvariant(), c.Enabled, c.SsoOnly, c.DefaultRole.ToString().ToLowerInvariant(),
            c.OidcAuthority, c.OidcClientId, c.OidcClientSecretProtected is not null, saml ? null : urls.OidcCallback(c.Id),
            c.SamlIdpEntityId, c.SamlIdpSsoUrl, certificate?.Subject, certificate?.NotAfter is { } notAfter ? new DateTimeOffset(notAfter.ToUniversalTime()) : null,
            saml ? urls.SamlEntityId(c.Id) : null, saml ? urls.SamlAcs(c.Id) : null, saml ? urls.SamlMetadata(c.Id) : null, domains, c.UpdatedAt);
    }

    private static SsoDomainResponse Describe(SsoDomain d) =>
        new(d.Domain, d.VerifiedAt is not null, DomainProof.RecordName(d.Domain), DomainProof.RecordValue(d.VerificationToken), d.CreatedAt, d.VerifiedAt);
}

/// <summary>This service provider's own addresses for a connection (absolute, from PUBLIC_URL or the request).</summary>
public sealed class SsoUrls(Platform.Email.PublicUrls urls)
{
    public static string OidcCallbackPath(string connectionId) => $"/api/auth/sso/oidc/{connectionId}/callback";

    public string OidcCallback(string connectionId) => urls.Link(OidcCallbackPath(connectionId));

    public string SamlAcs(string connectionId) => urls.Link($"/api/auth/sso/saml/{connectionId}/acs");

    public string SamlEntityId(string connectionId) => urls.Link($"/api/auth/sso/saml/{connectionId}/metadata");

    public string SamlMetadata(string connectionId) => SamlEntityId(connectionId);
}
