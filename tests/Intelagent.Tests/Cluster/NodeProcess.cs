using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Intelagent.Tests.Cluster;

/// <summary>
/// One server node: the built Intelagent.Server.dll run as a separate process on a fixed loopback
/// port (nginx's upstream must know it), with the cluster's shared settings. It can be killed
/// abruptly (SIGKILL) and started again on the same port.
/// </summary>
public sealed class NodeProcess(string name, IReadOnlyDictionary<string, string> environment) : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("intelagent-cluster-node-").FullName;
    private OutputTail _output = new();
    private Process? _process;

    public string Name => name;

    public int Port { get; } = ClusterProcesses.FreePort();

    public string Address => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public Uri BaseUrl => new("http://" + Address);

    /// <summary>The process id, which is also the node name the server writes in JobRuns (host:pid).</summary>
    public int ProcessId { get; private set; }

    /// <summary>Every process id this node had (it may have been killed and started again).</summary>
    public List<int> ProcessIds { get; } = [];

    public bool Running => _process is { HasExited: false };

    public string RecentOutput => _output.ToString();

    public static string ServerDll()
    {
        var configuration = AppContext.BaseDirectory.Replace('\\', '/').Contains("/bin/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        var dll = Path.Combine(RepositoryRoot(), "src", "Intelagent.Server", "bin", configuration, "net10.0", "Intelagent.Server.dll");
        return File.Exists(dll) ? dll : throw new InvalidOperationException($"Build the server first: {dll} is missing.");
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Intelagent.slnx"))) return directory.FullName;
        throw new InvalidOperationException("Intelagent.slnx not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Starts the process; <see cref="WaitReadyAsync"/> waits for /health/ready.</summary>
    public void Start()
    {
        var dll = ServerDll();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add("http://" + Address);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        start.Environment["INTELAGENT_DATA_DIR"] = _dataDirectory;
        _output = new OutputTail();
        var output = _output;
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => output.Add(e.Data);
        _process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        _process.Start();
        ProcessId = _process.Id;
        ProcessIds.Add(ProcessId);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public async Task WaitReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var process = _process ?? throw new InvalidOperationException("Not started.");
        await ClusterProcesses.WaitUntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException($"Node {name} exited with {process.ExitCode}:\n{RecentOutput}");
            try { return (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, StartTimeout, () => $"node {name} to be ready:\n{RecentOutput}");
    }

    /// <summary>kill -9: no graceful shutdown, no last flush.</summary>
    public async Task KillAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { Directory.Delete(_dataDirectory, recursive: true); }
        catch (IOException) { /* left to the system's temp cleanup */ }
    }
}
