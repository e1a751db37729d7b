using System.Net.Sockets;
using Npgsql;

namespace Intelagent.Server.Platform.Problems;

/// <summary>
/// Recognises a database that is out of reach for a moment (restarting, failing over, refusing
/// connections, out of connection slots) anywhere in an exception's chain, however EF Core wrapped it.
/// Such a request is answered 503 with Retry-After instead of 500: the client did nothing wrong and a
/// retry soon will work (docs/decisions/027-ops-cluster.md). Npgsql drops a broken pooled connection
/// when it fails, so the node recovers by itself once the database is back.
/// </summary>
public static class DatabaseUnavailable
{
    /// <summary>Seconds a client should wait: a fast PostgreSQL restart takes about one.</summary>
    public const int RetryAfterSeconds = 2;

    public static bool Is(Exception exception)
    {
        for (Exception? current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                // 08: connection exceptions; 57P01-57P03: admin or crash shutdown, cannot connect now; 53300: too many connections.
                case PostgresException pg when pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P0", StringComparison.Ordinal)
                    || pg.SqlState == PostgresErrorCodes.TooManyConnections:
                    return true;
                case PostgresException:
                    return false; // the database answered: a bug or a constraint, not an outage
                case NpgsqlException { IsTransient: true }:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                    return true;
            }
        }
        return false;
    }
}
