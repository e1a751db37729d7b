// The mixed-workload load generator of bench/cluster-load.sh: tenants created through the API, then
// closed-loop workers sending reads, writes and metered calls while SignalR clients receive the
// writes' activity, all through one origin (nginx in front of one or two nodes). Prints a table and
// writes JSON; the script runs it once per cluster size and compares.
using System.Globalization;
using System.Net;
using System.Text.Json;
using Intelagent.ClusterBench;

var options = args.Select((a, i) => (a, i)).Where(x => x.a.StartsWith("--", StringComparison.Ordinal))
    .ToDictionary(x => x.a[2..], x => x.i + 1 < args.Length && !args[x.i + 1].StartsWith("--", StringComparison.Ordinal) ? args[x.i + 1] : "true");
string Option(string name, string fallback) => options.GetValueOrDefault(name, fallback);
int Number(string name, int fallback) => int.Parse(Option(name, fallback.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);

if (!options.TryGetValue("origin", out var originText) || options.ContainsKey("help"))
{
    Console.Error.WriteLine("usage: Intelagent.ClusterBench --origin http://127.0.0.1:8080 --label '2 nodes' [--tenants 4] [--projects 20] " +
        "[--listeners 100] [--workers 32] [--seconds 20] [--warmup-seconds 3] [--max-requests 200000] [--read-share 60] [--write-share 15] " +
        "[--node-pids 123,456] [--output result.json]; INTELAGENT_ADMIN_EMAIL and INTELAGENT_ADMIN_PASSWORD name the operator");
    return 2;
}
var origin = new Uri(originText);
var label = Option("label", origin.ToString());
var operatorEmail = Environment.GetEnvironmentVariable("INTELAGENT_ADMIN_EMAIL") ?? "";
var operatorPassword = Environment.GetEnvironmentVariable("INTELAGENT_ADMIN_PASSWORD") ?? "";
var workers = Number("workers", 32);
var nodePids = Option("node-pids", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();

using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = workers,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseCookies = false,
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
};
using var http = new HttpClient(handler, disposeHandler: false) { BaseAddress = origin, Timeout = TimeSpan.FromSeconds(30) };

var tenants = await Tenants.CreateAsync(http, Number("tenants", 4), Number("projects", 20), operatorEmail, operatorPassword);
var workload = new Workload(http, tenants, origin, Number("read-share", 60), Number("write-share", 15));
await workload.ConnectListenersAsync(Number("listeners", 100));
await workload.RunAsync(workers, TimeSpan.FromSeconds(Number("warmup-seconds", 3)), int.MaxValue, measure: false);

var cpuBefore = nodePids.Sum(CpuSeconds);
var elapsed = await workload.RunAsync(workers, TimeSpan.FromSeconds(Number("seconds", 20)), Number("max-requests", 200_000), measure: true);
var cpuUsed = nodePids.Sum(CpuSeconds) - cpuBefore;
var memory = nodePids.Sum(ResidentMegabytes);
await workload.DisconnectListenersAsync();

var rows = workload.Requests.Select(r => Row(r.Key.ToString().ToLowerInvariant(), r.Value, elapsed, 200))
    .Append(Row("delivery", workload.Deliveries, elapsed, 100)).ToList();
var totalRequests = workload.Requests.Values.Sum(s => s.Count);
var result = new
{
    label,
    origin = origin.ToString(),
    machine = new { cores = Environment.ProcessorCount, load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null },
    workers,
    tenants = tenants.Count,
    listeners = Number("listeners", 100),
    seconds = Math.Round(elapsed, 2),
    requestsPerSecond = Math.Round(totalRequests / elapsed, 1),
    nodeCpuSeconds = Math.Round(cpuUsed, 2),
    nodeCpuMsPerRequest = totalRequests == 0 ? 0 : Math.Round(cpuUsed * 1000 / totalRequests, 3),
    nodeResidentMegabytes = Math.Round(memory, 1),
    classes = rows,
};

Console.WriteLine($"## {label}: {totalRequests:N0} requests in {elapsed:F1} s = {result.requestsPerSecond:N0} req/s, node CPU {result.nodeCpuMsPerRequest} ms/request, node memory {memory:N0} MB");
Console.WriteLine();
Console.WriteLine("| class | count | errors | per s | p50 ms | p99 ms | max ms | target | outcomes |");
Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
foreach (var row in rows)
    Console.WriteLine($"| {row.Name} | {row.Count:N0} | {row.Errors:N0} | {row.PerSecond:N1} | {row.P50:F2} | {row.P99:F2} | {row.Max:F1} | {row.Target} | {row.Outcomes} |");
if (Option("output", "") is { Length: > 0 } output)
    await File.WriteAllTextAsync(output, JsonSerializer.Serialize(result, new JsonSerializerOptions { WriteIndented = true }));
return 0;

static ClassRow Row(string name, Samples samples, double elapsed, double targetMs)
{
    var (p50, p99, max) = samples.Percentiles();
    var verdict = samples.Count == 0 ? "no samples" : p99 < targetMs ? $"p99 < {targetMs} ms: met" : $"p99 < {targetMs} ms: NOT met";
    return new ClassRow(name, samples.Count, samples.Errors, Math.Round(samples.Count / elapsed, 1), Math.Round(p50, 2), Math.Round(p99, 2), Math.Round(max, 1),
        verdict, string.Join(", ", samples.Outcomes.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $"{o.Key}: {o.Value}")));
}

// utime + stime of a process, in seconds (USER_HZ is 100 on Linux).
static double CpuSeconds(int pid)
{
    var stat = File.ReadAllText($"/proc/{pid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
}

static double ResidentMegabytes(int pid)
{
    var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
}

internal sealed record ClassRow(string Name, int Count, int Errors, double PerSecond, double P50, double P99, double Max, string Target, string Outcomes);
