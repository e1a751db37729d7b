using System.Diagnostics;

namespace Intelagent.Tests.Cluster;

/// <summary>
/// A redis-server of the cluster tests' own (loopback, a free port, no persistence), run as a child
/// process so stopping it is killing that process, and starting it again reuses the port.
/// </summary>
public sealed class PrivateRedis : IAsyncDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("intelagent-cluster-redis-").FullName;
    private readonly OutputTail _output = new();
    private Process? _process;

    public int Port { get; } = ClusterProcesses.FreePort();

    public string Url => $"redis://127.0.0.1:{Port}";

    public bool Running => _process is { HasExited: false };

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo("redis-server") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no", "--dir", _folder })
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start redis-server.");
        _process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        _process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var process = _process;
        await ClusterProcesses.WaitUntilAsync(async () => process.HasExited
            ? throw new InvalidOperationException("redis-server exited:\n" + _output)
            : await ClusterProcesses.AcceptsAsync(Port), TimeSpan.FromSeconds(15), "Redis to listen");
    }

    /// <summary>Stops Redis abruptly (SIGKILL), as a crash or a lost network would.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited) _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { /* left to the system's temp cleanup */ }
    }
}
