using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Billing.Metrics.Engine;
using Npgsql;
using NpgsqlTypes;

namespace Intelagent.FinanceBench;

public sealed record SqlMonth(int MonthIndex, decimal Units, decimal New, decimal Reactivation, decimal Expansion, decimal Contraction, decimal Churn, long Paying);

/// <summary>The same computation as the engine's, as one SQL query over the raw ledger in PostgreSQL.</summary>
public static class Postgres
{
    public static async Task LoadAsync(NpgsqlConnection connection, MetricsInput input)
    {
        await using (var create = new NpgsqlCommand("""
            DROP TABLE IF EXISTS bench_events; DROP TABLE IF EXISTS bench_rates;
            CREATE TABLE bench_events (seq bigint, customer_id text, subscription_id text, type text, at timestamptz, interval text,
                amount numeric, currency text, quantity int, discount_percent numeric, trial_ends_at timestamptz);
            CREATE TABLE bench_rates (currency text, m int, rate numeric, PRIMARY KEY (currency, m));
            """, connection))
            await create.ExecuteNonQueryAsync();
        await using (var writer = await connection.BeginBinaryImportAsync("COPY bench_events FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var e in input.Ledger)
            {
                await writer.StartRowAsync();
                await writer.WriteAsync(e.Sequence, NpgsqlDbType.Bigint);
                await writer.WriteAsync(e.CustomerId, NpgsqlDbType.Text);
                await writer.WriteAsync(e.SubscriptionId, NpgsqlDbType.Text);
                await writer.WriteAsync(e.Type.ToString().ToLowerInvariant(), NpgsqlDbType.Text);
                await writer.WriteAsync(e.At.UtcDateTime, NpgsqlDbType.TimestampTz);
                await writer.WriteAsync(e.Interval.ToString().ToLowerInvariant(), NpgsqlDbType.Text);
                await writer.WriteAsync(e.Amount, NpgsqlDbType.Numeric);
                await writer.WriteAsync(e.Currency, NpgsqlDbType.Text);
                await writer.WriteAsync(e.Quantity, NpgsqlDbType.Integer);
                await writer.WriteAsync(e.DiscountPercent, NpgsqlDbType.Numeric);
                if (e.TrialEndsAt is { } trial) await writer.WriteAsync(trial.UtcDateTime, NpgsqlDbType.TimestampTz);
                else await writer.WriteNullAsync();
            }
            await writer.CompleteAsync();
        }
        await using (var writer = await connection.BeginBinaryImportAsync("COPY bench_rates FROM STDIN (FORMAT BINARY)"))
        {
            for (var m = History.First; m <= History.Last; m = m.Next)
            {
                await writer.WriteRowAsync(default, Currencies.Reporting, m.Index, 1m);
                foreach (var rate in input.Rates.Where(r => r.Month == m)) await writer.WriteRowAsync(default, rate.Currency, m.Index, rate.RateToReporting);
            }
            await writer.CompleteAsync();
        }
        await using var analyze = new NpgsqlCommand("ANALYZE bench_events; ANALYZE bench_rates;", connection);
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Each event is the subscription's state until the next one (same tie order as the engine: by
    /// time, a cancel last, then sequence); it counts at the end of every month m with at &lt; end(m) &lt;= next_at.
    /// Amounts are in annual units (12 x MRR), exact in numeric, so they compare exactly with the engine's.
    /// </summary>
    public const string Query = """
        WITH ordered AS (
            SELECT e.*, (extract(year FROM e.at AT TIME ZONE 'UTC') * 12 + extract(month FROM e.at AT TIME ZONE 'UTC') - 1)::int AS first_m,
                   LEAD(e.at) OVER (PARTITION BY e.subscription_id ORDER BY e.at, e.type = 'cancel', e.seq) AS next_at
            FROM bench_events e),
        spans AS (
            SELECT o.customer_id, o.type, o.interval, o.amount, o.currency, o.quantity, o.discount_percent, o.trial_ends_at, gs.m
            FROM ordered o,
                 LATERAL generate_series(o.first_m, CASE WHEN o.next_at IS NULL THEN @last
                     ELSE (extract(year FROM o.next_at AT TIME ZONE 'UTC') * 12 + extract(month FROM o.next_at AT TIME ZONE 'UTC') - 2)::int END) AS gs(m)
            WHERE gs.m <= @last),
        units AS (
            SELECT s.customer_id, s.m,
                   SUM(CASE WHEN s.type = 'cancel' OR (s.trial_ends_at IS NOT NULL AND s.trial_ends_at >= make_timestamptz((s.m + 1) / 12, (s.m + 1) % 12 + 1, 1, 0, 0, 0, 'UTC')) THEN 0
                            ELSE s.amount * s.quantity * (1 - s.discount_percent / 100) * CASE WHEN s.interval = 'year' THEN 1 ELSE 12 END * r.rate END) AS u
            FROM spans s JOIN bench_rates r ON r.currency = s.currency AND r.m = s.m
            GROUP BY s.customer_id, s.m),
        series AS (
            SELECT customer_id, m, u,
                   COALESCE(LAG(u) OVER w, 0) AS prev,
                   COALESCE(bool_or(u > 0) OVER (PARTITION BY customer_id ORDER BY m ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), false) AS ever
            FROM units WINDOW w AS (PARTITION BY customer_id ORDER BY m))
        SELECT m, SUM(u),
               SUM(CASE WHEN prev = 0 AND u > 0 AND NOT ever THEN u ELSE 0 END),
               SUM(CASE WHEN prev = 0 AND u > 0 AND ever THEN u ELSE 0 END),
               SUM(CASE WHEN prev > 0 AND u > prev THEN u - prev ELSE 0 END),
               SUM(CASE WHEN prev > 0 AND u > 0 AND u < prev THEN prev - u ELSE 0 END),
               SUM(CASE WHEN prev > 0 AND u = 0 THEN prev ELSE 0 END),
               COUNT(*) FILTER (WHERE u > 0)
        FROM series GROUP BY m ORDER BY m
        """;

    public static async Task<List<SqlMonth>> RunAsync(NpgsqlConnection connection)
    {
        await using var command = new NpgsqlCommand(Query, connection) { CommandTimeout = 3600 };
        command.Parameters.AddWithValue("last", History.Last.Index);
        var result = new List<SqlMonth>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            result.Add(new SqlMonth(reader.GetInt32(0), reader.GetDecimal(1), reader.GetDecimal(2), reader.GetDecimal(3), reader.GetDecimal(4),
                reader.GetDecimal(5), reader.GetDecimal(6), reader.GetInt64(7)));
        return result;
    }
}
