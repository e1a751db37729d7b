using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Intelagent.Server.Identity;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// Writes everything one organization owns as JSON, driven by the EF model rather than a list kept
/// by hand, so a module's new entity is exported without anyone remembering to add it: every entity
/// with an <c>OrganizationId</c>, the rows that hang off those by a foreign key (invoice lines), and
/// the accounts of the members. Properties marked <see cref="SecretAttribute"/> (password hashes,
/// token hashes, protected secrets) are left out. Rows stream out table by table, so memory stays flat.
/// </summary>
public sealed class OrganizationExporter(AppDb db, CliConsole console)
{
    public const string Format = "intelagent.organization-export/1";
    private const string OrganizationIdProperty = nameof(ITenantOwned.OrganizationId);

    private static readonly JsonSerializerOptions ValueOptions = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static readonly MethodInfo WriteTableMethod = typeof(OrganizationExporter).GetMethod(nameof(WriteTableAsync), BindingFlags.NonPublic | BindingFlags.Instance)!;

    public async Task<int> WriteAsync(Organization organization, Stream stream, CancellationToken cancellationToken)
    {
        await using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
        var tenantTypes = ExportableTypes().Where(t => t.FindProperty(OrganizationIdProperty)?.ClrType == typeof(string)).ToList();
        var childTypes = ExportableTypes().Except(tenantTypes).Select(t => (Type: t, Key: ParentKey(t, tenantTypes))).Where(c => c.Key is not null).ToList();
        var keysOf = childTypes.Select(c => c.Key!.PrincipalEntityType).Distinct().ToDictionary(t => t, _ => new HashSet<string>());
        var names = TableNames(tenantTypes.Concat(childTypes.Select(c => c.Type)));

        json.WriteStartObject();
        json.WriteString("format", Format);
        json.WriteString("exportedAt", db.Clock.GetUtcNow());
        json.WriteString("schemaMigration", (await db.Database.GetAppliedMigrationsAsync(cancellationToken)).LastOrDefault());
        json.WritePropertyName("organization");
        WriteRow(json, db.Model.FindEntityType(typeof(Organization))!, organization);
        var rows = 1;
        json.WriteStartObject("tables");
        foreach (var type in tenantTypes.OrderBy(t => names[t], StringComparer.Ordinal))
        {
            var keys = keysOf.GetValueOrDefault(type);
            rows += await WriteTableOfAsync(json, names[type], type, OrganizationIdProperty, [organization.Id], keys, cancellationToken);
        }
        foreach (var (type, key) in childTypes.OrderBy(c => names[c.Type], StringComparer.Ordinal))
            rows += await WriteTableOfAsync(json, names[type], type, key!.Properties[0].Name, keysOf[key.PrincipalEntityType], null, cancellationToken);
        json.WriteEndObject();

        var memberIds = await db.Memberships.IgnoreQueryFilters().Where(m => m.OrganizationId == organization.Id).Select(m => m.UserId).ToListAsync(cancellationToken);
        rows += await WriteTableOfAsync(json, "users", db.Model.FindEntityType(typeof(User))!, nameof(User.Id), memberIds.ToHashSet(), null, cancellationToken);
        json.WriteEndObject();
        await json.FlushAsync(cancellationToken);
        return rows;
    }

    private IEnumerable<IEntityType> ExportableTypes() => db.Model.GetEntityTypes()
        .Where(t => !t.IsOwned() && !t.HasSharedClrType && t.ClrType != typeof(Organization) && t.FindPrimaryKey() is not null);

    /// <summary>A single-column foreign key to an exported entity, when the type has no organization of its own.</summary>
    private static IForeignKey? ParentKey(IEntityType type, List<IEntityType> tenantTypes) => type.GetForeignKeys()
        .FirstOrDefault(k => k.Properties.Count == 1 && k.Properties[0].ClrType == typeof(string) && tenantTypes.Contains(k.PrincipalEntityType)
            && k.PrincipalKey.Properties.Count == 1 && k.PrincipalKey.Properties[0].ClrType == typeof(string));

    /// <summary>camelCase class names; the full name where two modules use the same class name.</summary>
    private static Dictionary<IEntityType, string> TableNames(IEnumerable<IEntityType> types)
    {
        var list = types.ToList();
        return list.ToDictionary(t => t, t => list.Count(o => o.ClrType.Name == t.ClrType.Name) > 1
            ? t.ClrType.FullName!.Replace("Intelagent.Server.", "", StringComparison.Ordinal) : JsonNamingPolicy.CamelCase.ConvertName(t.ClrType.Name));
    }

    private Task<int> WriteTableOfAsync(Utf8JsonWriter json, string name, IEntityType type, string filterProperty, IReadOnlyCollection<string> values,
        HashSet<string>? collectKeys, CancellationToken cancellationToken) =>
        (Task<int>)WriteTableMethod.MakeGenericMethod(type.ClrType).Invoke(this, [json, name, type, filterProperty, values, collectKeys, cancellationToken])!;

    private async Task<int> WriteTableAsync<T>(Utf8JsonWriter json, string name, IEntityType type, string filterProperty, IReadOnlyCollection<string> values,
        HashSet<string>? collectKeys, CancellationToken cancellationToken) where T : class
    {
        json.WriteStartArray(name);
        var count = 0;
        if (values.Count > 0)
        {
            var list = values.ToList();
            var first = list[0];
            var query = db.Set<T>().IgnoreQueryFilters().AsNoTracking();
            query = list.Count == 1 ? query.Where(e => EF.Property<string>(e, filterProperty) == first)
                : query.Where(e => list.Contains(EF.Property<string>(e, filterProperty)));
            var key = type.FindPrimaryKey()!.Properties;
            if (key.Count == 1 && key[0].ClrType == typeof(string)) query = query.OrderBy(e => EF.Property<string>(e, key[0].Name));
            var keyProperty = key.Count == 1 ? key[0].PropertyInfo : null;
            await foreach (var row in query.AsAsyncEnumerable().WithCancellation(cancellationToken))
            {
                WriteRow(json, type, row);
                if (collectKeys is not null && keyProperty?.GetValue(row) is string id) collectKeys.Add(id);
                if (++count % 1000 == 0) await json.FlushAsync(cancellationToken);
            }
        }
        json.WriteEndArray();
        if (count > 0) console.Progress($"  {name}: {count}");
        return count;
    }

    private static void WriteRow(Utf8JsonWriter json, IEntityType type, object row)
    {
        json.WriteStartObject();
        foreach (var property in type.GetProperties().Where(p => p.PropertyInfo is not null && p.PropertyInfo.GetCustomAttribute<SecretAttribute>() is null))
            WriteValue(json, property.PropertyInfo!, row);
        foreach (var complex in type.GetComplexProperties().Where(p => p.PropertyInfo is not null))
            WriteValue(json, complex.PropertyInfo!, row);
        foreach (var owned in type.GetNavigations().Where(n => n.TargetEntityType.IsOwned() && n.PropertyInfo is not null))
            WriteValue(json, owned.PropertyInfo!, row);
        json.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter json, PropertyInfo property, object row)
    {
        json.WritePropertyName(JsonNamingPolicy.CamelCase.ConvertName(property.Name));
        var value = property.GetValue(row);
        if (value is null) json.WriteNullValue();
        else JsonSerializer.Serialize(json, value, value.GetType(), ValueOptions);
    }
}
