using Intelagent.Server.Platform.Events;
using Intelagent.Server.Platform.Tenancy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Intelagent.Server.Platform.Data;

/// <summary>The embedded default. Migrations in Data/Migrations/Sqlite.</summary>
public sealed class SqliteAppDb(DbContextOptions<SqliteAppDb> options, RequestContext request, TimeProvider clock, OutboxSignal signal)
    : AppDb(options, request, clock, signal)
{
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        base.ConfigureConventions(configurationBuilder);
        // SQLite cannot compare or order DateTimeOffset text; all our times are UTC, so the binary
        // form (ticks) sorts and compares correctly.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToBinaryConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<DateTimeOffsetToBinaryConverter>();
    }
}

/// <summary>The system of record for production. Migrations in Data/Migrations/Postgres.</summary>
public sealed class PostgresAppDb(DbContextOptions<PostgresAppDb> options, RequestContext request, TimeProvider clock, OutboxSignal signal)
    : AppDb(options, request, clock, signal);

internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteAppDb>
{
    public SqliteAppDb CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<SqliteAppDb>().UseSqlite("Data Source=design.db").Options,
        new RequestContext(), TimeProvider.System, new OutboxSignal());
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresAppDb>
{
    public PostgresAppDb CreateDbContext(string[] args) => new(
        new DbContextOptionsBuilder<PostgresAppDb>().UseNpgsql("Host=localhost;Database=design").Options,
        new RequestContext(), TimeProvider.System, new OutboxSignal());
}
