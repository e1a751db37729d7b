using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.DataProtection;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>
/// Encrypts the Data Protection key ring at rest with ASP.NET Core's own certificate encryptor
/// (XML encryption to the certificate's RSA key) when <c>DATA_PROTECTION_CERTIFICATE</c> names a
/// PKCS#12 file (<c>DATA_PROTECTION_CERTIFICATE_PASSWORD</c> its password). The keys live in the
/// shared database, so without it whoever reads the database can decrypt every secret they protect
/// (TOTP seeds, SSO client secrets); with it they also need the certificate, which every node is
/// given and the database never holds. Keys written before the setting stay readable (they are not
/// encrypted) until they expire; each node decrypts with the certificate it was given, not one
/// looked up in a machine store.
/// </summary>
public static class DataProtectionKeyEncryption
{
    public const string CertificateSetting = "DATA_PROTECTION_CERTIFICATE";
    public const string PasswordSetting = "DATA_PROTECTION_CERTIFICATE_PASSWORD";

    public static IDataProtectionBuilder ProtectKeysWithConfiguredCertificate(this IDataProtectionBuilder builder, IConfiguration configuration)
    {
        if (configuration[CertificateSetting] is not { Length: > 0 } path) return builder;
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, configuration[PasswordSetting], X509KeyStorageFlags.EphemeralKeySet);
        if (!certificate.HasPrivateKey || certificate.GetRSAPrivateKey() is null)
            throw new InvalidOperationException($"{CertificateSetting} must be a PKCS#12 file holding an RSA certificate with its private key.");
        return builder.ProtectKeysWithCertificate(certificate).UnprotectKeysWithAnyCertificate(certificate);
    }
}

/// <summary>Says at start, outside Development, that the key ring in the database is not encrypted.</summary>
internal sealed class KeyEncryptionWarning(IConfiguration configuration, IHostEnvironment environment, ILogger<KeyEncryptionWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(configuration[DataProtectionKeyEncryption.CertificateSetting]) && !environment.IsDevelopment() && !environment.IsEnvironment("Testing"))
            logger.LogWarning("{Setting} is not set: the Data Protection keys in the database are not encrypted, so whoever reads the database can decrypt the secrets they protect (TOTP seeds, SSO client secrets)",
                DataProtectionKeyEncryption.CertificateSetting);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
