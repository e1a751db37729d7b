using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Intelagent.BrowserTests;

/// <summary>
/// The real server, started from its build output as a separate process (Development, so static
/// web assets resolve; a throwaway data folder with demo data; a free loopback port), and stopped
/// at the end. Its output is kept to explain a failure.
/// </summary>
public sealed partial class ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly Queue<string> _recentOutput = new();
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string BaseUrl { get; private set; } = "";

    private ServerProcess(Process process, string dataDirectory)
    {
        _process = process;
        _dataDirectory = dataDirectory;
    }

    /// <summary>Starts the server; <paramref name="environment"/> adds or overrides its variables (a test's own services).</summary>
    public static async Task<ServerProcess> StartAsync(IReadOnlyDictionary<string, string>? environment = null)
    {
        var serverDll = Path.Combine(RepositoryRoot(), "src", "Intelagent.Server", "bin", BuildConfiguration(), "net10.0", "Intelagent.Server.dll");
        if (!File.Exists(serverDll)) throw new InvalidOperationException($"Build the server first: {serverDll} is missing.");
        var dataDirectory = Directory.CreateTempSubdirectory("intelagent-browser-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(serverDll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(serverDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://127.0.0.1:0");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["INTELAGENT_DATA_DIR"] = dataDirectory;
        start.Environment["INTELAGENT_DEMO"] = "1";
        start.Environment["INTELAGENT_DEMO_FINANCE"] = "0"; // months of generated finances slow the start; the portal tests do not need them
        start.Environment["DATABASE_URL"] = "sqlite:" + Path.Combine(dataDirectory, "intelagent.db");
        // Every test signs in from 127.0.0.1: keep the per-IP sign-in throttle out of the way.
        start.Environment["RateLimits__SignInPerMinute"] = "1000";
        start.Environment["RateLimits__SignUpPerHour"] = "1000"; // every test registers its own organization from 127.0.0.1
        start.Environment["RateLimits__OrganizationsPerHour"] = "1000";
        start.Environment["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Warning";
        start.Environment["Logging__Console__FormatterName"] = "simple";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;

        var server = new ServerProcess(new Process { StartInfo = start, EnableRaisingEvents = true }, dataDirectory);
        server._process.OutputDataReceived += (_, e) => server.Observe(e.Data);
        server._process.ErrorDataReceived += (_, e) => server.Observe(e.Data);
        server._process.Exited += (_, _) => server._listening.TrySetException(new InvalidOperationException("The server exited early:\n" + server.RecentOutput));
        server._process.Start();
        server._process.BeginOutputReadLine();
        server._process.BeginErrorReadLine();
        try
        {
            server.BaseUrl = await server._listening.Task.WaitAsync(StartTimeout);
        }
        catch (TimeoutException)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException("The server did not start listening in time:\n" + server.RecentOutput);
        }
        return server;
    }

    public string RecentOutput
    {
        get
        {
            lock (_recentOutput) return string.Join('\n', _recentOutput);
        }
    }

    private void Observe(string? line)
    {
        if (line is null) return;
        lock (_recentOutput)
        {
            _recentOutput.Enqueue(line);
            while (_recentOutput.Count > 200) _recentOutput.Dequeue();
        }
        var match = ListeningLine().Match(line);
        if (match.Success) _listening.TrySetResult(match.Groups[1].Value.TrimEnd('/'));
    }

    [GeneratedRegex(@"Now listening on:\s*(http://\S+)")]
    private static partial Regex ListeningLine();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(_dataDirectory, recursive: true); }
        catch (IOException) { /* a file still held open: the temp folder is cleaned by the system */ }
    }

    /// <summary>The folder holding Intelagent.slnx, found upwards from the test binaries.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Intelagent.slnx"))) return directory.FullName;
        throw new InvalidOperationException("Intelagent.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The server is run from the same configuration (Release or Debug) as these tests.</summary>
    private static string BuildConfiguration() =>
        AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
}
