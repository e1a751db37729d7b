using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Ids;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Intelagent.Server.Platform.Auditing;

/// <summary>
/// The audit hook in SaveChanges: one entry per added, modified or deleted entity, with the fields
/// that changed (before and after), written in the same transaction. Entities marked
/// <see cref="NotAuditedAttribute"/> and properties marked <see cref="SecretAttribute"/> stay out.
/// </summary>
internal static class AuditWriter
{
    private static readonly ConcurrentDictionary<Type, bool> Audited = new();
    private static readonly ConcurrentDictionary<Type, string> Names = new();
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static void RecordChanges(AppDb db)
    {
        var entries = db.ChangeTracker.Entries()
            .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
            .Where(e => Audited.GetOrAdd(e.Metadata.ClrType, t => t.GetCustomAttribute<NotAuditedAttribute>() is null))
            .ToList();
        foreach (var entry in entries)
        {
            var verb = entry.State switch
            {
                EntityState.Added => "created",
                EntityState.Deleted => "deleted",
                _ => "updated",
            };
            var changes = Changes(entry);
            if (entry.State == EntityState.Modified && changes.Count == 0) continue;
            var organizationId = entry.Entity switch
            {
                Organization organization => organization.Id,
                ITenantOwned owned => owned.OrganizationId,
                _ => db.Request.OrganizationId,
            };
            var id = entry.Properties.FirstOrDefault(p => p.Metadata.IsPrimaryKey())?.CurrentValue?.ToString();
            var name = NameOf(entry.Metadata.ClrType);
            db.AuditEntries.Add(Entry(db, $"{name}.{verb}", name, id, changes, AuditOutcome.Success, organizationId));
        }
    }

    public static AuditEntry Entry(AppDb db, string action, string? targetType, string? targetId, object? data, string outcome, string? organizationId)
    {
        var request = db.Request;
        return new AuditEntry
        {
            Id = Id.New(IdPrefix.Audit, db.Clock),
            OrganizationId = organizationId,
            ActorUserId = request.UserId,
            ActorApiKeyId = request.ApiKeyId,
            ActorIsOperator = request.IsOperator,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Outcome = outcome,
            Ip = request.Ip,
            UserAgent = request.UserAgent is { Length: > 256 } agent ? agent[..256] : request.UserAgent,
            At = db.Clock.GetUtcNow(),
            Data = data is null ? null : JsonSerializer.Serialize(data, Json),
        };
    }

    private static Dictionary<string, object?> Changes(EntityEntry entry)
    {
        var result = new Dictionary<string, object?>();
        foreach (var property in entry.Properties)
        {
            var info = property.Metadata.PropertyInfo;
            if (property.Metadata.IsPrimaryKey() || info is null || info.GetCustomAttribute<SecretAttribute>() is not null) continue;
            var name = JsonNamingPolicy.CamelCase.ConvertName(info.Name);
            switch (entry.State)
            {
                case EntityState.Added: result[name] = property.CurrentValue; break;
                case EntityState.Deleted: result[name] = property.OriginalValue; break;
                case EntityState.Modified when property.IsModified && !Equals(property.OriginalValue, property.CurrentValue):
                    result[name] = new { before = property.OriginalValue, after = property.CurrentValue };
                    break;
            }
        }
        return result;
    }

    /// <summary>TeamMember becomes team_member: the stable audit name of an entity type.</summary>
    internal static string NameOf(Type type) => Names.GetOrAdd(type, t =>
    {
        var builder = new StringBuilder();
        foreach (var c in t.Name)
        {
            if (char.IsUpper(c) && builder.Length > 0) builder.Append('_');
            builder.Append(char.ToLowerInvariant(c));
        }
        return builder.ToString();
    });
}
