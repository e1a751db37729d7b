namespace Intelagent.Server.Platform.Tenancy;

/// <summary>
/// A row that belongs to one organization. Every such entity gets a global query filter on the
/// current tenant (see <see cref="Data.AppDb"/>), so a forgotten where-clause cannot leak another
/// organization's rows. Queries that must cross tenants call <c>IgnoreQueryFilters()</c> inside a
/// method whose name ends in <c>AcrossTenants</c>.
/// </summary>
public interface ITenantOwned
{
    string OrganizationId { get; }
}

/// <summary>Marks an entity whose changes are not written to the audit trail (the trail itself, outboxes, caches).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class NotAuditedAttribute : Attribute;

/// <summary>Marks a property whose values never appear in an audit entry (hashes, secrets).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SecretAttribute : Attribute;
