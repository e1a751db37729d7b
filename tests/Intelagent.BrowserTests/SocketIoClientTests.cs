using System.Diagnostics;
using System.Text;

namespace Intelagent.BrowserTests;

/// <summary>
/// The spec's client code against the real server: tests/socketio-client/client-test.mjs runs the
/// real <c>socket.io-client</c> from npm (installed here with <c>npm ci</c> when missing) and checks
/// that <c>activity:new</c> arrives after a team change, over WebSocket and over polling only.
/// </summary>
public sealed class SocketIoClientTests
{
    private static readonly TimeSpan InstallTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task RealSocketIoClient_WhenATeamChanges_ShouldReceiveActivityNew_OverWebSocketAndPolling()
    {
        var folder = Path.Combine(ServerProcess.RepositoryRoot(), "tests", "socketio-client");
        if (!File.Exists(Path.Combine(folder, "node_modules", "socket.io-client", "package.json")))
        {
            var (installed, installOutput) = await RunAsync("npm", ["ci", "--no-audit", "--no-fund"], folder, InstallTimeout);
            Assert.True(installed == 0, "npm ci failed:\n" + installOutput);
        }
        await using var server = await ServerProcess.StartAsync();

        var (exitCode, output) = await RunAsync("node", ["client-test.mjs", server.BaseUrl], folder, RunTimeout);

        Assert.True(exitCode == 0, $"client-test.mjs exited with {exitCode}:\n{output}\n--- server output ---\n{server.RecentOutput}");
        Assert.Contains("all checks passed", output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string[] arguments, string folder, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(command) { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cancel.Token); }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output) return (-1, $"{command} did not finish within {timeout}:\n{output}");
        }
        lock (output) return (process.ExitCode, output.ToString());
    }
}
