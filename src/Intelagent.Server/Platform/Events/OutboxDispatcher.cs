using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Events;

/// <summary>
/// Hands stored events to their handlers after commit. Each message is claimed with a conditional
/// update (a lease), so several nodes can run dispatchers over one database without delivering a
/// message twice while its lease holds. A failing message is retried with backoff; handlers must
/// therefore tolerate seeing an event again after a crash (at-least-once delivery).
/// </summary>
public sealed class OutboxDispatcher(IServiceScopeFactory scopes, OutboxSignal signal, TimeProvider clock, ILogger<OutboxDispatcher> logger)
    : BackgroundService
{
    private const int BatchSize = 100;
    private const int MaxAttempts = 10;
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);
    private const int Parallelism = 4;
    private static readonly MethodInfo InvokeMethod = typeof(OutboxDispatcher).GetMethod(nameof(InvokeHandlersAsync), BindingFlags.NonPublic | BindingFlags.Static)!;
    private static readonly ConcurrentDictionary<Type, MethodInfo> Invokers = new();
    private readonly SemaphoreSlim _oneAtATime = new(1, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchPendingAsync(stoppingToken) == BatchSize) { }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Outbox dispatch failed; retrying after the next signal or poll");
            }
            try { await signal.WaitAsync(Poll, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>
    /// Dispatches what is due now and returns how many messages it took. Organizations are dispatched
    /// side by side (on PostgreSQL; SQLite has one writer anyway), each one's messages in order, so one
    /// organization's burst of writes does not delay every other's live updates. The messages that
    /// succeeded are marked in one statement per organization; after a crash before that, they are
    /// delivered again when their lease ends (handlers tolerate that, see the class summary).
    /// </summary>
    public async Task<int> DispatchPendingAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        try
        {
            List<OutboxMessage> due;
            bool claimed;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<AppDb>();
                claimed = db.Database.IsNpgsql();
                due = claimed ? await ClaimDueAsync(db, clock.GetUtcNow(), cancellationToken) : await DueAsync(db, clock.GetUtcNow(), cancellationToken);
            }
            var byOrganization = due.GroupBy(m => m.OrganizationId ?? "").Select(g => g.ToList()).ToList();
            await Parallel.ForEachAsync(byOrganization, new ParallelOptions { MaxDegreeOfParallelism = claimed ? Parallelism : 1, CancellationToken = cancellationToken },
                async (messages, ct) =>
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<AppDb>();
                    var succeeded = new List<string>(messages.Count);
                    try
                    {
                        foreach (var message in messages)
                        {
                            if (!claimed && !await ClaimOneAsync(db, message.Id, ct)) continue;
                            if (await DispatchOneAsync(db, message, ct)) succeeded.Add(message.Id);
                        }
                    }
                    finally
                    {
                        if (succeeded.Count > 0)
                        {
                            var now = clock.GetUtcNow();
                            await db.OutboxMessages.Where(m => succeeded.Contains(m.Id)).ExecuteUpdateAsync(s => s
                                .SetProperty(m => m.ProcessedAt, now)
                                .SetProperty(m => m.Attempts, m => m.Attempts + 1)
                                .SetProperty(m => m.LastError, (string?)null)
                                .SetProperty(m => m.NextAttemptAt, (DateTimeOffset?)null)
                                .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
                        }
                    }
                });
            return due.Count;
        }
        finally
        {
            _oneAtATime.Release();
        }
    }

    /// <summary>
    /// PostgreSQL: selects and leases the due messages in one statement. SKIP LOCKED lets another node's
    /// dispatcher take the next ones instead of waiting for (or racing over) the same rows.
    /// </summary>
    private static async Task<List<OutboxMessage>> ClaimDueAsync(AppDb db, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var leaseEnd = now + Lease;
        var claimed = await db.OutboxMessages.FromSql($"""
            UPDATE "OutboxMessages" SET "LockedUntil" = {leaseEnd}
            WHERE "Id" IN (
                SELECT "Id" FROM "OutboxMessages"
                WHERE "ProcessedAt" IS NULL AND "Attempts" < {MaxAttempts}
                  AND ("NextAttemptAt" IS NULL OR "NextAttemptAt" <= {now})
                  AND ("LockedUntil" IS NULL OR "LockedUntil" < {now})
                ORDER BY "Id" LIMIT {BatchSize}
                FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(cancellationToken);
        claimed.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return claimed;
    }

    /// <summary>SQLite: the due messages, each leased just before it is dispatched (<see cref="ClaimOneAsync"/>).</summary>
    private static Task<List<OutboxMessage>> DueAsync(AppDb db, DateTimeOffset now, CancellationToken cancellationToken) => db.OutboxMessages
        .Where(m => m.ProcessedAt == null && m.Attempts < MaxAttempts)
        .Where(m => m.NextAttemptAt == null || m.NextAttemptAt <= now)
        .Where(m => m.LockedUntil == null || m.LockedUntil < now)
        .OrderBy(m => m.Id).Take(BatchSize).AsNoTracking().ToListAsync(cancellationToken);

    private async Task<bool> ClaimOneAsync(AppDb db, string id, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var leaseEnd = now + Lease;
        return await db.OutboxMessages
            .Where(m => m.Id == id && m.ProcessedAt == null && (m.LockedUntil == null || m.LockedUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntil, leaseEnd), cancellationToken) == 1;
    }

    /// <summary>Runs the message's handlers; true when they all succeeded. A failure is recorded here, with its backoff.</summary>
    private async Task<bool> DispatchOneAsync(AppDb db, OutboxMessage message, CancellationToken cancellationToken)
    {
        string? error;
        try
        {
            var type = EventTypes.Find(message.Type) ?? throw new InvalidOperationException($"Unknown event type {message.Type}");
            var domainEvent = (IDomainEvent)JsonSerializer.Deserialize(message.Payload, type, JsonSerializerOptions.Web)!;
            var envelope = new EventEnvelope(message.Id, message.Type, message.OrganizationId, message.OccurredAt, message.ActorUserId);
            // Handlers run in a scope of their own that acts for the event's organization.
            await using var scope = scopes.CreateAsyncScope();
            var request = scope.ServiceProvider.GetRequiredService<RequestContext>();
            if (message.OrganizationId is not null) request.SetTenant(message.OrganizationId, null);
            var invoker = Invokers.GetOrAdd(type, t => InvokeMethod.MakeGenericMethod(t));
            await (Task)invoker.Invoke(null, [scope.ServiceProvider, domainEvent, envelope, cancellationToken])!;
            return true;
        }
        catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
        {
            error = exception.Message;
            logger.LogWarning(exception, "Handler failed for event {EventId} ({Type})", message.Id, message.Type);
        }

        var now = clock.GetUtcNow();
        var attempts = message.Attempts + 1;
        var backoff = TimeSpan.FromSeconds(Math.Min(300, Math.Pow(2, attempts)));
        await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.Attempts, attempts)
            .SetProperty(m => m.LastError, error)
            .SetProperty(m => m.NextAttemptAt, now + backoff)
            .SetProperty(m => m.LockedUntil, (DateTimeOffset?)null), CancellationToken.None);
        return false;
    }

    private static async Task InvokeHandlersAsync<TEvent>(IServiceProvider services, IDomainEvent domainEvent, EventEnvelope envelope, CancellationToken cancellationToken)
        where TEvent : IDomainEvent
    {
        foreach (var handler in services.GetServices<IDomainEventHandler<TEvent>>())
            await handler.HandleAsync((TEvent)domainEvent, envelope, cancellationToken);
    }
}
