using System.Xml.Linq;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Intelagent.Server.Identity.TwoFactor;

/// <summary>A Data Protection key (XML), kept in the database so that every node shares the key ring.</summary>
[NotAudited]
public sealed class DataProtectionKeyRow
{
    public int Id { get; init; }
    [NoPersonalData("the data-protection key's own name")] public string? FriendlyName { get; init; }
    [Secret] public required string Xml { get; init; }
}

internal sealed class DataProtectionKeyRowConfiguration : IEntityTypeConfiguration<DataProtectionKeyRow>
{
    public void Configure(EntityTypeBuilder<DataProtectionKeyRow> builder)
    {
        builder.ToTable("DataProtectionKeys");
        builder.Property(e => e.FriendlyName).HasMaxLength(200);
    }
}

/// <summary>
/// The key ring's storage over AppDb (instead of the EF Core package's IDataProtectionKeyContext,
/// which needs a DbSet on the shared context). Data Protection calls it synchronously, rarely
/// (start-up, key creation every 90 days), so the blocking waits are harmless.
/// </summary>
public sealed class DatabaseKeyRepository(IServiceScopeFactory scopes) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        return db.Set<DataProtectionKeyRow>().AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).ToList().Select(x => XElement.Parse(x)).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        db.Set<DataProtectionKeyRow>().Add(new DataProtectionKeyRow { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChangesAsync().GetAwaiter().GetResult();
    }

    public static IServiceCollection AddDatabaseDataProtection(IServiceCollection services, IConfiguration configuration)
    {
        services.AddDataProtection().SetApplicationName("Intelagent").ProtectKeysWithConfiguredCertificate(configuration);
        services.AddHostedService<KeyEncryptionWarning>();
        services.AddOptions<KeyManagementOptions>().Configure<IServiceScopeFactory>((options, scopes) => options.XmlRepository = new DatabaseKeyRepository(scopes));
        return services;
    }
}
