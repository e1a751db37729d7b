using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Intelagent.Tests.Cluster;

/// <summary>Small process and port helpers for the cluster fixture: every wait is bounded.</summary>
public static class ClusterProcesses
{
    /// <summary>A loopback port nothing listens on now (the OS picks it; the caller binds it right away).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Runs a command to its end (at most <paramref name="timeout"/>) and throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> arguments, TimeSpan timeout, string? asUser = null)
    {
        var start = new ProcessStartInfo(asUser is null ? file : "runuser")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = "/", // runuser: a cwd the other user can read
        };
        if (asUser is not null) foreach (var argument in new[] { "-u", asUser, "--", file }) start.ArgumentList.Add(argument);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + file);
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        var text = await output + await error;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{text}");
        return text;
    }

    /// <summary>True when something accepts connections on 127.0.0.1:<paramref name="port"/>.</summary>
    public static async Task<bool> AcceptsAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException) { return false; }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, for at most <paramref name="timeout"/>.</summary>
    public static Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) => WaitUntilAsync(condition, timeout, () => what);

    /// <summary>As above, with a description made when the wait fails (to show output gathered meanwhile).</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> what)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await condition()) return;
            if (deadline.Elapsed > timeout) throw new TimeoutException($"Waited {timeout.TotalSeconds} s for {what()}.");
            await Task.Delay(100);
        }
    }

    /// <summary>Makes a folder the given user owns (with mode 700), for PostgreSQL's data directory.</summary>
    public static async Task ChownAsync(string path, string user) => await RunAsync("chown", ["-R", $"{user}:{user}", path], TimeSpan.FromSeconds(10));
}

/// <summary>The last lines a process wrote, to explain a failure.</summary>
public sealed class OutputTail
{
    private readonly Queue<string> _lines = new();

    public void Add(string? line)
    {
        if (line is null) return;
        lock (_lines)
        {
            _lines.Enqueue(line);
            while (_lines.Count > 150) _lines.Dequeue();
        }
    }

    public override string ToString()
    {
        lock (_lines) return string.Join('\n', _lines);
    }
}
