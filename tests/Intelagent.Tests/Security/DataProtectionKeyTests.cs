using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Intelagent.Server.Identity.TwoFactor;
using Intelagent.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

/// <summary>Two nodes on one database, both given the same key-encryption certificate (a PKCS#12 file the test makes).</summary>
public sealed class DataProtectionNodes : TwoNodesOnOneDatabase
{
    public const string Password = "certificate-password";
    public string CertificatePath { get; } = Path.Combine(Path.GetTempPath(), $"intelagent-dp-{Guid.NewGuid():N}.pfx");

    public DataProtectionNodes()
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=Intelagent data protection test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        File.WriteAllBytes(CertificatePath, certificate.Export(X509ContentType.Pfx, Password));
    }

    protected override IEnumerable<(string Key, string Value)> Settings =>
        [.. base.Settings, (DataProtectionKeyEncryption.CertificateSetting, CertificatePath), (DataProtectionKeyEncryption.PasswordSetting, Password)];
}

public sealed class DataProtectionKeyTests(DataProtectionNodes nodes) : IClassFixture<DataProtectionNodes>
{
    [Fact]
    public async Task KeyRing_WithACertificate_ShouldHoldNoPlainKey_AndASecondNodeShouldReadWhatTheFirstProtected()
    {
        var protectedOnA = nodes.A.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(TwoFactorService.SeedPurpose).Protect("JBSWY3DPEHPK3PXP");

        var stored = await nodes.A.WithDbAsync(db => db.Set<DataProtectionKeyRow>().Select(k => k.Xml).ToListAsync());
        Assert.NotEmpty(stored);
        Assert.All(stored, xml =>
        {
            Assert.Contains("encryptedSecret", xml);
            Assert.Contains("EncryptedXmlDecryptor", xml);
            Assert.DoesNotContain("<value>", xml);
            Assert.DoesNotContain("unencrypted form", xml);
        });

        var readOnB = nodes.B.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(TwoFactorService.SeedPurpose).Unprotect(protectedOnA);
        Assert.Equal("JBSWY3DPEHPK3PXP", readOnB);
    }

    [Fact]
    public async Task KeyRing_WithoutACertificate_IsStoredInTheClear_SoTheSettingIsWhatProtectsIt()
    {
        var plain = new SqliteApp();
        try
        {
            await plain.InitializeAsync();
            plain.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("x");
            var stored = await plain.WithDbAsync(db => db.Set<DataProtectionKeyRow>().Select(k => k.Xml).ToListAsync());
            Assert.Contains(stored, xml => xml.Contains("<value>"));
        }
        finally
        {
            await plain.DisposeAsync();
        }
    }
}
