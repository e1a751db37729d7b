using System.Diagnostics;
using Intelagent.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Intelagent.Tests.Platform;

public sealed record CliRun(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
}

/// <summary>
/// The real command line: the built server (Release or Debug, as these tests) run as a process with
/// `dotnet Intelagent.Server.dll VERB ...`, on a database and data folder the test names.
/// </summary>
public static class ServerCli
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    /// <summary>One key for every process and in-process server of a test, so the audit chain verifies across them.</summary>
    public const string AuditChainKey = "backup-restore-drill-audit-chain-key-0123456789";

    public static async Task<CliRun> RunAsync(string databaseUrl, string dataDirectory, IReadOnlyDictionary<string, string>? environment = null, string? input = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = input is not null,
            UseShellExecute = false,
            WorkingDirectory = dataDirectory,
        };
        start.ArgumentList.Add(ServerDll());
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["DATABASE_URL"] = databaseUrl;
        start.Environment["INTELAGENT_DATA_DIR"] = dataDirectory;
        start.Environment["AUDIT_CHAIN_KEY"] = AuditChainKey;
        start.Environment.Remove("ASPNETCORE_ENVIRONMENT"); // the verbs run as in production
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) start.Environment[key] = value;
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"`{string.Join(' ', arguments)}` did not finish within {Timeout}: {await error}");
        }
        return new CliRun(process.ExitCode, await output, await error);
    }

    public static string ServerDll()
    {
        var configuration = AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (!File.Exists(Path.Combine(directory.FullName, "Intelagent.slnx"))) continue;
            var dll = Path.Combine(directory.FullName, "src", "Intelagent.Server", "bin", configuration, "net10.0", "Intelagent.Server.dll");
            return File.Exists(dll) ? dll : throw new InvalidOperationException($"Build the server first: {dll} is missing.");
        }
        throw new InvalidOperationException("Intelagent.slnx not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>
/// The platform in process on a database that outlives it: the drill starts one on the original
/// database and another on the restored one. It shares <see cref="ServerCli.AuditChainKey"/> with the command line.
/// </summary>
public sealed class DatabaseApp(string databaseUrl) : TestApp
{
    public override string Name => "drill";

    public string DatabaseUrl => databaseUrl;

    protected override Task<string> CreateDatabaseAsync() => Task.FromResult(databaseUrl);

    protected override Task DropDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        NpgsqlConnection.ClearAllPools();
        return Task.CompletedTask;
    }

    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("AUDIT_CHAIN_KEY", ServerCli.AuditChainKey)];
}

/// <summary>Databases a test creates and removes itself, on SQLite or on the PostgreSQL ./test.sh provisions.</summary>
public abstract class ScratchDatabases : IAsyncDisposable
{
    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("intelagent-cli-").FullName;

    public abstract string Provider { get; }

    /// <summary>A URL for a database that does not exist yet (SQLite) or exists and is empty (PostgreSQL).</summary>
    public abstract Task<string> CreateAsync();

    /// <summary>Removes the database entirely: the disaster the drill recovers from.</summary>
    public abstract Task DropAsync(string url);

    public abstract ValueTask DisposeAsync();

    /// <summary>One number read straight from the database (SQL both providers accept), bypassing the platform.</summary>
    public abstract Task<long> CountAsync(string url, string sql);
}

public sealed class SqliteScratch : ScratchDatabases
{
    public override string Provider => "sqlite";

    public override Task<string> CreateAsync() => Task.FromResult("sqlite:" + Path.Combine(DataDirectory, $"db-{Guid.NewGuid():N}.db"));

    public override Task DropAsync(string url)
    {
        SqliteConnection.ClearAllPools();
        var path = url["sqlite:".Length..];
        foreach (var suffix in new[] { "", "-wal", "-shm" }) File.Delete(path + suffix);
        return Task.CompletedTask;
    }

    public override async Task<long> CountAsync(string url, string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={url["sqlite:".Length..]};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public override ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}

public sealed class PostgresScratch : ScratchDatabases
{
    private readonly List<string> _created = [];

    public override string Provider => "postgres";

    public override async Task<string> CreateAsync()
    {
        var name = "intelagent_test_" + Guid.NewGuid().ToString("N")[..16];
        _created.Add(name);
        await ExecuteAsync($"CREATE DATABASE \"{name}\"");
        return new UriBuilder(PostgresApp.AdminUrl) { Path = "/" + name }.Uri.ToString();
    }

    public override Task DropAsync(string url)
    {
        NpgsqlConnection.ClearAllPools();
        return ExecuteAsync($"DROP DATABASE IF EXISTS \"{new Uri(url).AbsolutePath.Trim('/')}\" WITH (FORCE)");
    }

    public override async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        foreach (var name in _created) await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }

    public override async Task<long> CountAsync(string url, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(PostgresApp.ConnectionString(url)) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(PostgresApp.ConnectionString(PostgresApp.AdminUrl));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
