using System.Data.Common;
using Intelagent.Server.Platform.Data;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Tests.Platform.Fuzz;

/// <summary>
/// A fingerprint of the database: per table, its row count and an order-independent hash of its rows
/// (every column), read in one round trip. Two digests differ exactly in the tables whose contents changed.
/// </summary>
public sealed class DatabaseDigest
{
    /// <summary>
    /// Tables that legitimately change when a request is refused, so "a rejected request changes
    /// nothing" does not look at them:
    /// - AuditEntries: failed sign-ins, refused permissions and other failures are audited on purpose
    ///   (the security trail needs the attempts, not only the successes).
    /// - AuditChainHeads/AuditCheckpoints and SecurityAlerts: written from the audit trail after commit
    ///   (the test stops the sealer, but a sealing started by an earlier accepted request may finish late).
    /// - RealtimeEvents: the stored event stream also carries presence expiries swept on a timer.
    /// - DataProtectionKeys: the key ring is created on first use, by whichever request needs a key first.
    /// - IdempotencyRecord: the first answer to a request with an Idempotency-Key is kept whatever it
    ///   was, a refusal included, so that a retry gets the same answer (decisions, "Shapes").
    /// </summary>
    public static readonly HashSet<string> ExcludedTables = new(StringComparer.OrdinalIgnoreCase)
    {
        "AuditEntries", "AuditChainHeads", "AuditCheckpoints", "SecurityAlerts", "RealtimeEvents", "DataProtectionKeys", "IdempotencyRecord",
    };

    private readonly Dictionary<string, (long Rows, ulong Hash)> _tables;

    private DatabaseDigest(Dictionary<string, (long, ulong)> tables) => _tables = tables;

    public static async Task<DatabaseDigest> TakeAsync(TestApp app) => await app.WithDbAsync(async db =>
    {
        var tables = Tables(db);
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        try
        {
            await using var command = connection.CreateCommand();
            command.CommandText = string.Join(";\n", tables.Select(t => $"SELECT * FROM \"{t}\""));
            await using var reader = await command.ExecuteReaderAsync();
            var result = new Dictionary<string, (long, ulong)>();
            foreach (var table in tables)
            {
                result[table] = await HashAsync(reader);
                await reader.NextResultAsync();
            }
            return new DatabaseDigest(result);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    });

    /// <summary>The tables whose row count or contents differ between the two digests.</summary>
    public IReadOnlyList<string> ChangedSince(DatabaseDigest before, IReadOnlyCollection<string> allowed) =>
        [.. _tables.Where(t => !allowed.Contains(t.Key) && (!before._tables.TryGetValue(t.Key, out var old) || old != t.Value))
            .Select(t => $"{t.Key} ({(before._tables.TryGetValue(t.Key, out var old) ? old.Rows : 0)} -> {t.Value.Rows} rows)")];

    private static List<string> Tables(AppDb db) =>
        [.. db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct().Where(t => !ExcludedTables.Contains(t)).Order()];

    private static async Task<(long, ulong)> HashAsync(DbDataReader reader)
    {
        long rows = 0;
        ulong sum = 0;
        var values = new object[reader.FieldCount];
        while (await reader.ReadAsync())
        {
            reader.GetValues(values);
            // HashCode is seeded per process, which is all a comparison within one run needs, and is
            // far cheaper than a cryptographic hash over a formatted row.
            var row = new HashCode();
            foreach (var value in values)
            {
                if (value is byte[] bytes) row.AddBytes(bytes);
                else row.Add(value);
            }
            rows++;
            // A sum of row hashes does not depend on the order the database returns the rows in.
            sum += (ulong)(uint)row.ToHashCode() * 0x9E3779B97F4A7C15UL;
        }
        return (rows, sum);
    }
}
