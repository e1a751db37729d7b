using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Intelagent.Tests.Cluster;

/// <summary>
/// nginx in front of the two nodes, running deploy/nginx/intelagent.conf itself: a generated
/// nginx.conf (prefix = a temporary folder, no daemon, its own pid, logs and temp folders) includes a
/// copy of that file whose node addresses and listen port are replaced by the test's own. The access
/// log records which node answered each request.
/// </summary>
public sealed class NginxProxy(IReadOnlyList<NodeProcess> nodes) : IAsyncDisposable
{
    private const string DeployedNodeA = "127.0.0.1:5081";
    private const string DeployedNodeB = "127.0.0.1:5082";
    private const string DeployedListen = "listen 127.0.0.1:8080;";

    private readonly string _folder = Directory.CreateTempSubdirectory("intelagent-cluster-nginx-").FullName;
    private readonly OutputTail _output = new();
    private Process? _process;

    public int Port { get; } = ClusterProcesses.FreePort();

    public Uri BaseUrl => new("http://127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture));

    public string AccessLog => Path.Combine(_folder, "access.log");

    public async Task StartAsync()
    {
        var deployed = await File.ReadAllTextAsync(Path.Combine(NodeProcess.RepositoryRoot(), "deploy", "nginx", "intelagent.conf"));
        foreach (var expected in new[] { DeployedNodeA, DeployedNodeB, DeployedListen })
            if (!deployed.Contains(expected, StringComparison.Ordinal)) throw new InvalidOperationException($"deploy/nginx/intelagent.conf no longer contains '{expected}'.");
        var site = deployed.Replace(DeployedNodeA, nodes[0].Address, StringComparison.Ordinal).Replace(DeployedNodeB, nodes[1].Address, StringComparison.Ordinal)
            .Replace(DeployedListen, $"listen 127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)};", StringComparison.Ordinal);
        await File.WriteAllTextAsync(Path.Combine(_folder, "intelagent.conf"), site);
        var temp = Path.Combine(_folder, "temp");
        Directory.CreateDirectory(temp);
        await ClusterProcesses.RunAsync("chmod", ["755", _folder], TimeSpan.FromSeconds(10));
        await ClusterProcesses.RunAsync("chmod", ["777", temp], TimeSpan.FromSeconds(10)); // the workers (nobody) buffer bodies here
        await File.WriteAllTextAsync(Path.Combine(_folder, "nginx.conf"), $$"""
            daemon off;
            master_process on;
            worker_processes 1;
            pid {{_folder}}/nginx.pid;
            error_log {{_folder}}/error.log warn;
            events { worker_connections 512; }
            http {
                log_format cluster '$upstream_addr $status $request_method $uri';
                access_log {{AccessLog}} cluster;
                client_body_temp_path {{temp}}/body;
                proxy_temp_path {{temp}}/proxy;
                fastcgi_temp_path {{temp}}/fastcgi;
                uwsgi_temp_path {{temp}}/uwsgi;
                scgi_temp_path {{temp}}/scgi;
                include {{_folder}}/intelagent.conf;
            }
            """);
        var start = new ProcessStartInfo("/usr/sbin/nginx") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-p", _folder + "/", "-c", Path.Combine(_folder, "nginx.conf"), "-e", Path.Combine(_folder, "error.log") })
            start.ArgumentList.Add(argument);
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start nginx.");
        _process.OutputDataReceived += (_, e) => _output.Add(e.Data);
        _process.ErrorDataReceived += (_, e) => _output.Add(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TimeSpan.FromSeconds(5) };
        var process = _process;
        await ClusterProcesses.WaitUntilAsync(async () =>
        {
            if (process.HasExited) throw new InvalidOperationException("nginx exited:\n" + _output + "\n" + ErrorLog());
            try { return (await http.GetAsync("/health/live")).StatusCode == HttpStatusCode.OK; }
            catch (HttpRequestException) { return false; }
        }, TimeSpan.FromSeconds(20), "nginx to proxy /health/live");
    }

    public string ErrorLog() => File.Exists(Path.Combine(_folder, "error.log")) ? File.ReadAllText(Path.Combine(_folder, "error.log")) : "";

    /// <summary>The upstream address of each logged request (nginx writes a line per request as it ends).</summary>
    public IReadOnlyList<(string Upstream, int Status, string Method, string Path)> Requests()
    {
        using var stream = new FileStream(AccessLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var lines = new List<(string, int, string, string)>();
        while (reader.ReadLine() is { } line)
        {
            var parts = line.Split(' ');
            if (parts.Length >= 4 && int.TryParse(parts[^3], out var status)) lines.Add((string.Join(' ', parts[..^3]), status, parts[^2], parts[^1]));
        }
        return lines;
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
        try { Directory.Delete(_folder, recursive: true); }
        catch (IOException) { /* left to the system's temp cleanup */ }
    }
}
