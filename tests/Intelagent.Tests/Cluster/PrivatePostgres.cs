using System.Security.Cryptography;

namespace Intelagent.Tests.Cluster;

/// <summary>
/// A PostgreSQL of the cluster tests' own (initdb in a temporary folder, as the postgres user, on a
/// free loopback port), so restarting it disturbs no other test. pg_ctl runs it detached; it is
/// stopped by its data folder, never by name.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("intelagent-cluster-pg-").FullName;
    private readonly string _password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
    private bool _initialized;

    public int Port { get; } = ClusterProcesses.FreePort();

    private string Data => Path.Combine(_folder, "data");

    private static string Bin => Directory.GetDirectories("/usr/lib/postgresql").OrderBy(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Last() + "/bin";

    public string Url => $"postgresql://postgres:{_password}@127.0.0.1:{Port}/postgres";

    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Password={_password};Database=postgres;Pooling=false;Timeout=5";

    public async Task StartAsync()
    {
        if (!_initialized)
        {
            Directory.CreateDirectory(Data);
            var passwordFile = Path.Combine(_folder, "pwfile");
            await File.WriteAllTextAsync(passwordFile, _password + "\n");
            await ClusterProcesses.ChownAsync(_folder, "postgres");
            await ClusterProcesses.RunAsync(Bin + "/initdb", ["-D", Data, "-U", "postgres", "--pwfile=" + passwordFile, "--auth-local=trust",
                "--auth-host=scram-sha-256", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"], TimeSpan.FromSeconds(60), asUser: "postgres");
            File.Delete(passwordFile);
            // A throwaway cluster: durability is irrelevant, speed is not.
            await File.AppendAllTextAsync(Path.Combine(Data, "postgresql.conf"),
                $"\nlisten_addresses = '127.0.0.1'\nport = {Port}\nunix_socket_directories = '{_folder}'\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\nmax_connections = 200\n");
            _initialized = true;
        }
        await PgCtlAsync("start", "-l", Path.Combine(_folder, "server.log"));
    }

    /// <summary>A fast restart (-m fast): sessions are cut, the server is back within seconds.</summary>
    public Task RestartAsync() => PgCtlAsync("restart", "-m", "fast", "-l", Path.Combine(_folder, "server.log"));

    private Task PgCtlAsync(string action, params string[] extra) =>
        ClusterProcesses.RunAsync(Bin + "/pg_ctl", ["-D", Data, "-w", "-t", "30", .. extra, action], TimeSpan.FromSeconds(40), asUser: "postgres");

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (File.Exists(Path.Combine(Data, "postmaster.pid"))) await PgCtlAsync("stop", "-m", "immediate");
        }
        finally
        {
            try { Directory.Delete(_folder, recursive: true); }
            catch (IOException) { /* left to the system's temp cleanup */ }
        }
    }
}
