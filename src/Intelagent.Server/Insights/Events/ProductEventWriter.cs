using System.Data.Common;
using System.Globalization;
using System.Text;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Intelagent.Server.Insights.Events;

/// <summary>
/// Stores a batch of events and its roll-up increments in one transaction, with a fixed number of
/// multi-row statements whatever the batch size (on PostgreSQL two: one round each): an
/// <c>INSERT ... ON CONFLICT DO NOTHING RETURNING</c> of the events (the unique index on organization
/// and event id decides which are new, also when two requests carry the same event at the same
/// moment) and an upsert that adds the new events' counts to the daily roll-ups. Only events the
/// first statement returned are counted, so a re-send never counts twice. Rows are sorted by key so
/// concurrent batches take their row locks in the same order (no deadlock on PostgreSQL). The SQL is
/// shared by SQLite (3.35+) and PostgreSQL.
/// </summary>
public sealed class ProductEventWriter(AppDb db)
{
    private static readonly DateTimeOffsetToBinaryConverter SqliteTime = new();

    /// <summary>Returns the keys (organization, event id) of the events that were new.</summary>
    public async Task<IReadOnlySet<(string OrganizationId, string EventId)>> WriteAsync(IReadOnlyList<ValidProductEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return new HashSet<(string, string)>();
        var now = db.Clock.GetUtcNow();
        var sorted = events.OrderBy(e => e.OrganizationId, StringComparer.Ordinal).ThenBy(e => e.EventId, StringComparer.Ordinal).ToList();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var inserted = await InsertEventsAsync(sorted, now, cancellationToken);
        var fresh = sorted.Where(e => inserted.Contains((e.OrganizationId, e.EventId))).ToList();
        if (fresh.Count > 0) await AddToRollupsAsync(fresh, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return inserted;
    }

    private async Task<HashSet<(string, string)>> InsertEventsAsync(List<ValidProductEvent> events, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inserted = new HashSet<(string, string)>();
        foreach (var chunk in events.Chunk(RowsPerStatement(10)))
        {
            await using var command = Command(
                "INSERT INTO \"ProductEvents\" (\"OrganizationId\", \"EventId\", \"Type\", \"OccurredAt\", \"Day\", \"ReceivedAt\", \"SubjectKey\", \"Variant\", \"SentAt\", \"PropertiesJson\") VALUES ",
                chunk.Select(e => new object?[] { e.OrganizationId, e.EventId, e.Type, Time(e.OccurredAt), Time(e.Day), Time(now), e.SubjectKey, e.Variant,
                    e.SentAt is { } sent ? Time(sent) : null, e.PropertiesJson }),
                " ON CONFLICT (\"OrganizationId\", \"EventId\") DO NOTHING RETURNING \"OrganizationId\", \"EventId\"");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) inserted.Add((reader.GetString(0), reader.GetString(1)));
        }
        return inserted;
    }

    private async Task AddToRollupsAsync(List<ValidProductEvent> events, CancellationToken cancellationToken)
    {
        var increments = events.SelectMany(e => DimensionsOf(e).Select(d => (e.OrganizationId, e.Type, e.Day, Dimension: d)))
            .GroupBy(k => k).Select(g => (g.Key, Count: (long)g.Count()))
            .OrderBy(x => x.Key.OrganizationId, StringComparer.Ordinal).ThenBy(x => x.Key.Type, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Day).ThenBy(x => x.Key.Dimension, StringComparer.Ordinal).ToList();
        foreach (var chunk in increments.Chunk(RowsPerStatement(5)))
        {
            await using var command = Command("INSERT INTO \"ProductEventRollups\" (\"OrganizationId\", \"Type\", \"Day\", \"Dimension\", \"Count\") VALUES ",
                chunk.Select(x => new object?[] { x.Key.OrganizationId, x.Key.Type, Time(x.Key.Day), x.Key.Dimension, x.Count }),
                " ON CONFLICT (\"OrganizationId\", \"Type\", \"Day\", \"Dimension\") DO UPDATE SET \"Count\" = \"ProductEventRollups\".\"Count\" + excluded.\"Count\"");
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// PostgreSQL takes a whole batch in one statement (one network round). SQLite runs in process, so
    /// several statements cost nothing extra, while its parameter lookup is linear in the parameter
    /// count (quadratic per statement): a few hundred parameters per statement keep it fast.
    /// </summary>
    private int RowsPerStatement(int columns) => db.Database.IsSqlite() ? 500 / columns : ProductEventValidator.MaxBatch * 3;

    /// <summary>A multi-row statement with explicit parameters in the context's open transaction; nulls go untyped so the column decides.</summary>
    private DbCommand Command(string head, IEnumerable<object?[]> rows, string tail)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        var sql = new StringBuilder(head);
        var n = 0;
        foreach (var row in rows)
        {
            sql.Append(n == 0 ? "(" : ", (");
            for (var column = 0; column < row.Length; column++, n++)
            {
                var name = "@p" + n.ToString(CultureInfo.InvariantCulture);
                sql.Append(column == 0 ? "" : ", ").Append(name);
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.Value = row[column] ?? DBNull.Value;
                command.Parameters.Add(parameter);
            }
            sql.Append(')');
        }
        command.CommandText = sql.Append(tail).ToString();
        return command;
    }

    /// <summary>The roll-up rows one event counts in (see <see cref="ProductEventRollup"/>).</summary>
    public static IEnumerable<string> DimensionsOf(ValidProductEvent e)
    {
        yield return "";
        if (e.Variant is not null) yield return "variant:" + e.Variant;
        if (e.SentAt is { } sent) yield return SendCell(sent);
    }

    /// <summary><c>sent:&lt;ISO weekday&gt;-&lt;UTC hour&gt;</c> of a send time.</summary>
    public static string SendCell(DateTimeOffset sentAt)
    {
        var utc = sentAt.UtcDateTime;
        return $"sent:{(int)ISOWeek.ToIsoWeekday(utc.DayOfWeek)}-{utc.Hour}";
    }

    /// <summary>SQLite keeps times as binary ticks (SqliteAppDb's converter); PostgreSQL as timestamptz.</summary>
    private object Time(DateTimeOffset value) => db.Database.IsSqlite() ? SqliteTime.ConvertToProvider(value)! : value;
}

internal static class ISOWeek
{
    public static int ToIsoWeekday(DayOfWeek day) => day == DayOfWeek.Sunday ? 7 : (int)day;
}
