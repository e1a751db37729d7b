using System.Linq.Expressions;
using Intelagent.Server.Identity;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Auditing;
using Intelagent.Server.Platform.Email;
using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Intelagent.Server.Realtime;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Data;

/// <summary>
/// The one database context. It holds the model, scopes every <see cref="ITenantOwned"/> entity to
/// the current organization, and on SaveChanges writes the audit entries and outbox rows of the
/// change in the same transaction. One sealed subclass per provider carries that provider's migrations.
/// </summary>
public abstract class AppDb(DbContextOptions options, RequestContext request, TimeProvider clock, OutboxSignal outboxSignal)
    : DbContext(options)
{
    private readonly List<IDomainEvent> _pendingEvents = [];

    public DbSet<User> Users => Set<User>();
    public DbSet<Session> Sessions => Set<Session>();
    public DbSet<UserToken> UserTokens => Set<UserToken>();
    public DbSet<Organization> Organizations => Set<Organization>();
    public DbSet<Membership> Memberships => Set<Membership>();
    public DbSet<Team> Teams => Set<Team>();
    public DbSet<TeamMember> TeamMembers => Set<TeamMember>();
    public DbSet<Project> Projects => Set<Project>();
    public DbSet<Invitation> Invitations => Set<Invitation>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<EmailMessage> EmailMessages => Set<EmailMessage>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();

    public RequestContext Request => request;
    public TimeProvider Clock => clock;

    /// <summary>Read by the query filters: EF Core evaluates it per query, per context instance.</summary>
    internal string? CurrentOrganizationId => request.OrganizationId;

    /// <summary>Queues a domain event; it is stored with the next SaveChanges and dispatched after commit.</summary>
    public void Raise(IDomainEvent domainEvent) => _pendingEvents.Add(domainEvent);

    /// <summary>Adds an explicit audit entry (security events, reads worth recording) to the next SaveChanges.</summary>
    public void Audit(string action, string? targetType = null, string? targetId = null, object? data = null,
        string outcome = AuditOutcome.Success, string? organizationId = null) =>
        AuditEntries.Add(AuditWriter.Entry(this, action, targetType, targetId, data, outcome, organizationId ?? request.OrganizationId));

    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        AuditWriter.RecordChanges(this);
        var wroteEvents = OutboxWriter.Store(this, _pendingEvents);
        _pendingEvents.Clear();
        var count = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        if (wroteEvents) outboxSignal.Notify();
        return count;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        throw new InvalidOperationException("Use SaveChangesAsync: the audit and outbox hooks are asynchronous-only.");

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(AppDb).Assembly, t => t.Namespace?.StartsWith("Intelagent.Server", StringComparison.Ordinal) == true);
        modelBuilder.Entity<Organization>().HasQueryFilter(o => o.Id == CurrentOrganizationId);
        foreach (var entityType in modelBuilder.Model.GetEntityTypes().Where(t => typeof(ITenantOwned).IsAssignableFrom(t.ClrType)))
        {
            var parameter = Expression.Parameter(entityType.ClrType, "e");
            var filter = Expression.Lambda(
                Expression.Equal(
                    Expression.Property(parameter, nameof(ITenantOwned.OrganizationId)),
                    Expression.Property(Expression.Constant(this), nameof(CurrentOrganizationId))),
                parameter);
            modelBuilder.Entity(entityType.ClrType).HasQueryFilter(filter);
        }
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        foreach (var enumType in typeof(AppDb).Assembly.GetTypes().Where(t => t.IsEnum && t.Namespace?.StartsWith("Intelagent.Server", StringComparison.Ordinal) == true))
            configurationBuilder.Properties(enumType).HaveConversion<string>().HaveMaxLength(32);
        configurationBuilder.Properties<decimal>().HavePrecision(19, 4);
    }
}

/// <summary>One row per (job, window): the first node to insert it runs the job for that window.</summary>
[NotAudited]
[NoPersonalData("job names and node names")]
public sealed class JobRun
{
    public required string JobName { get; init; }
    public required string Window { get; init; }
    public required string Node { get; init; }
    public DateTimeOffset ClaimedAt { get; init; }
}
