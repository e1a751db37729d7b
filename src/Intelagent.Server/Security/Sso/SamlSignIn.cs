using System.Security.Cryptography;
using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Problems;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Security.Sso;

/// <summary>
/// The SAML round trip: the start sends an AuthnRequest whose id and return path travel in a
/// RelayState encrypted with Data Protection (any node can read it, nobody can forge it, it expires
/// in ten minutes); the assertion consumer validates the response against that request id and
/// records the assertion id so it is accepted once.
/// </summary>
public sealed class SamlSignIn(AppDb db, SsoUrls urls, IDataProtectionProvider protection, SsoSignIn signIn, SamlSigningCertificate signing)
{
    private static readonly TimeSpan StateLifetime = TimeSpan.FromMinutes(10);
    private readonly IDataProtector _state = protection.CreateProtector("Intelagent.Sso.SamlRelayState");

    public string StartUrl(SsoConnection connection, string returnUrl)
    {
        var now = db.Clock.GetUtcNow();
        var requestId = "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
        var relayState = _state.Protect(JsonSerializer.Serialize(new RelayState(connection.Id, requestId, SsoReturn.Local(returnUrl), now + StateLifetime)));
        return SamlServiceProvider.BuildRedirectUrl(connection.SamlIdpSsoUrl!, urls.SamlEntityId(connection.Id), urls.SamlAcs(connection.Id), requestId, relayState, now, signing.Certificate);
    }

    public async Task<Result<(Identity.IssuedToken Token, string ReturnUrl)>> ConsumeAsync(string connectionId, string? samlResponse, string? relayState, CancellationToken cancellationToken)
    {
        var connection = await db.Set<SsoConnection>().IgnoreQueryFilters().AsNoTracking().FirstOrDefaultAsync(c => c.Id == connectionId, cancellationToken);
        if (connection is not { Enabled: true, Protocol: SsoProtocol.Saml }) return Error.NotFound("SSO connection");
        var now = db.Clock.GetUtcNow();
        var state = Read(relayState);
        if (state is null || state.ConnectionId != connectionId || state.ExpiresAt <= now)
            return new Error(401, "saml_unsolicited", "The response does not answer a sign-in started here in the last ten minutes; start again.");
        var certificate = SsoConnectionService.ParseCertificate(connection.SamlIdpCertificate ?? "");
        if (certificate is null) return Error.Unprocessable("sso_misconfigured", "The connection has no usable identity-provider certificate.");
        var validated = SamlServiceProvider.Validate(samlResponse,
            new SamlExpectations(connection.SamlIdpEntityId!, certificate, urls.SamlEntityId(connectionId), urls.SamlAcs(connectionId), state.RequestId, now));
        if (!validated.IsSuccess) return validated.Error!;
        var assertion = validated.Value!;

        // The assertion id is the key: a second use of it fails on the primary key, on every node.
        await db.Set<SamlAssertionUse>().Where(u => u.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken);
        db.Set<SamlAssertionUse>().Add(new SamlAssertionUse { AssertionId = assertion.AssertionId, ConnectionId = connectionId, ExpiresAt = assertion.NotOnOrAfter.AddMinutes(5) });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            return new Error(401, "saml_replayed", "This assertion was already used to sign in.");
        }
        var signedIn = await signIn.CompleteAsync(connectionId, new ExternalIdentity(assertion.NameId, assertion.Email, assertion.Name, null), cancellationToken);
        return signedIn.IsSuccess ? (signedIn.Value!, state.ReturnUrl) : signedIn.Error!;
    }

    private RelayState? Read(string? relayState)
    {
        if (string.IsNullOrEmpty(relayState) || relayState.Length > 4000) return null;
        try
        {
            return JsonSerializer.Deserialize<RelayState>(_state.Unprotect(relayState));
        }
        catch (Exception exception) when (exception is CryptographicException or JsonException)
        {
            return null;
        }
    }

    private sealed record RelayState(string ConnectionId, string RequestId, string ReturnUrl, DateTimeOffset ExpiresAt);
}
