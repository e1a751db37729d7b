using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Intelagent.Server.Insights.Kernel;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Intelagent.Server.Insights.Events;

/// <summary>
/// Stores a batch of events and its roll-up increments in one transaction, with two statements
/// whatever the batch size: an <c>INSERT ... ON CONFLICT DO NOTHING RETURNING</c> of the events (the
/// unique index on organization and event id decides which are new, also when two requests carry
/// the same event at the same moment) and an upsert that adds the new events' counts to the daily
/// roll-ups. Only events the first statement returned are counted, so a re-send never counts twice.
/// Rows are sorted by key so concurrent batches take their row locks in the same order (no deadlock
/// on PostgreSQL). Both statements are plain SQL that SQLite (3.35+) and PostgreSQL share.
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
        var sql = new StringBuilder("INSERT INTO \"ProductEvents\" (\"OrganizationId\", \"EventId\", \"Type\", \"OccurredAt\", \"Day\", \"ReceivedAt\", \"SubjectKey\", \"Variant\", \"SentAt\", \"PropertiesJson\") VALUES ");
        var arguments = new List<object?>(events.Count * 10);
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i];
            if (i > 0) sql.Append(", ");
            sql.Append('(').AppendJoin(", ", Enumerable.Range(arguments.Count, 10).Select(n => "{" + n.ToString(CultureInfo.InvariantCulture) + "}")).Append(')');
            arguments.AddRange([e.OrganizationId, e.EventId, e.Type, Time(e.OccurredAt), Time(e.Day), Time(now), e.SubjectKey, e.Variant,
                e.SentAt is { } sent ? Time(sent) : null, e.PropertiesJson]);
        }
        sql.Append(" ON CONFLICT (\"OrganizationId\", \"EventId\") DO NOTHING RETURNING \"OrganizationId\" || '|' || \"EventId\" AS \"Value\"");
        var keys = await db.Database.SqlQuery<string>(FormattableStringFactory.Create(sql.ToString(), Parameters(arguments))).ToListAsync(cancellationToken);
        return keys.Select(k => k.Split('|', 2)).Select(p => (p[0], p[1])).ToHashSet();
    }

    private async Task AddToRollupsAsync(List<ValidProductEvent> events, CancellationToken cancellationToken)
    {
        var increments = events.SelectMany(e => DimensionsOf(e).Select(d => (e.OrganizationId, e.Type, e.Day, Dimension: d)))
            .GroupBy(k => k).Select(g => (g.Key, Count: (long)g.Count()))
            .OrderBy(x => x.Key.OrganizationId, StringComparer.Ordinal).ThenBy(x => x.Key.Type, StringComparer.Ordinal)
            .ThenBy(x => x.Key.Day).ThenBy(x => x.Key.Dimension, StringComparer.Ordinal).ToList();
        var sql = new StringBuilder("INSERT INTO \"ProductEventRollups\" (\"OrganizationId\", \"Type\", \"Day\", \"Dimension\", \"Count\") VALUES ");
        var arguments = new List<object?>(increments.Count * 5);
        for (var i = 0; i < increments.Count; i++)
        {
            var (key, count) = increments[i];
            if (i > 0) sql.Append(", ");
            sql.Append('(').AppendJoin(", ", Enumerable.Range(arguments.Count, 5).Select(n => "{" + n.ToString(CultureInfo.InvariantCulture) + "}")).Append(')');
            arguments.AddRange([key.OrganizationId, key.Type, Time(key.Day), key.Dimension, count]);
        }
        sql.Append(" ON CONFLICT (\"OrganizationId\", \"Type\", \"Day\", \"Dimension\") DO UPDATE SET \"Count\" = \"ProductEventRollups\".\"Count\" + excluded.\"Count\"");
        await db.Database.ExecuteSqlAsync(FormattableStringFactory.Create(sql.ToString(), Parameters(arguments)), cancellationToken);
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

    /// <summary>
    /// Explicit parameters, so a null goes untyped and the column decides its type (EF would type a
    /// bare null as text, which PostgreSQL refuses for a timestamptz column).
    /// </summary>
    private object[] Parameters(List<object?> values)
    {
        using var factory = db.Database.GetDbConnection().CreateCommand();
        return values.Select((value, i) =>
        {
            var parameter = factory.CreateParameter();
            parameter.ParameterName = "p" + i.ToString(CultureInfo.InvariantCulture);
            parameter.Value = value ?? DBNull.Value;
            return (object)parameter;
        }).ToArray();
    }

    /// <summary>SQLite keeps times as binary ticks (SqliteAppDb's converter); PostgreSQL as timestamptz.</summary>
    private object Time(DateTimeOffset value) => db.Database.IsSqlite() ? SqliteTime.ConvertToProvider(value)! : value;
}

internal static class ISOWeek
{
    public static int ToIsoWeekday(DayOfWeek day) => day == DayOfWeek.Sunday ? 7 : (int)day;
}
