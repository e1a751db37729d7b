using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Realtime.Stream;

/// <summary>
/// One publisher at a time, cluster-wide, from choosing ids to sending: a semaphore on this node and,
/// on PostgreSQL, a session advisory lock that every node takes. So ids grow in commit order and
/// every group receives events in id order, which is what lets a client resume from "the last id I saw".
/// SQLite is one node's database, so the semaphore is enough there.
/// </summary>
public sealed class RealtimeOrdering
{
    // 7346112001 is an arbitrary constant naming this lock among the database's advisory locks.
    private const string Lock = "SELECT pg_advisory_lock(7346112001)";
    private const string Unlock = "SELECT pg_advisory_unlock(7346112001)";
    private readonly SemaphoreSlim _local = new(1, 1);

    public async Task<IAsyncDisposable> EnterAsync(AppDb db, CancellationToken cancellationToken)
    {
        await _local.WaitAsync(cancellationToken);
        if (!db.Database.IsNpgsql()) return new Turn(this, null);
        try
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            await db.Database.ExecuteSqlRawAsync(Lock, cancellationToken);
            return new Turn(this, db);
        }
        catch
        {
            await db.Database.CloseConnectionAsync();
            _local.Release();
            throw;
        }
    }

    private sealed class Turn(RealtimeOrdering owner, AppDb? lockedOn) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                // The connection goes back to the pool still open, so the session lock must be
                // released explicitly (a broken connection frees it on the server anyway).
                if (lockedOn is not null) await lockedOn.Database.ExecuteSqlRawAsync(Unlock, CancellationToken.None);
            }
            finally
            {
                if (lockedOn is not null) await lockedOn.Database.CloseConnectionAsync();
                owner._local.Release();
            }
        }
    }
}
