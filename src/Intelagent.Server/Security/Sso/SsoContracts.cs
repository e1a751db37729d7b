namespace Intelagent.Server.Security.Sso;

/// <summary>PUT /api/security/sso. A field left out keeps its value; the client secret is write-only.</summary>
public sealed record SsoConnectionRequest(
    string? Protocol, bool? Enabled, bool? SsoOnly, string? DefaultRole,
    string? OidcAuthority, string? OidcClientId, string? OidcClientSecret,
    string? SamlIdpEntityId, string? SamlIdpSsoUrl, string? SamlIdpCertificate);

public sealed record SsoConnectionResponse(
    bool Configured, string? Id, string? Protocol, bool Enabled, bool SsoOnly, string DefaultRole,
    string? OidcAuthority, string? OidcClientId, bool OidcClientSecretSet, string? OidcRedirectUri,
    string? SamlIdpEntityId, string? SamlIdpSsoUrl, string? SamlIdpCertificateSubject, DateTimeOffset? SamlIdpCertificateExpiresAt,
    string? SamlSpEntityId, string? SamlAcsUrl, string? SamlMetadataUrl,
    IReadOnlyList<SsoDomainResponse> Domains, DateTimeOffset? UpdatedAt);

public sealed record SsoDomainRequest(string? Domain);

/// <summary>A claimed domain; to verify it, publish a TXT record <see cref="DnsRecordName"/> = <see cref="DnsRecordValue"/>.</summary>
public sealed record SsoDomainResponse(string Domain, bool Verified, string DnsRecordName, string DnsRecordValue, DateTimeOffset CreatedAt, DateTimeOffset? VerifiedAt);
