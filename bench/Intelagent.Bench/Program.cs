// Closed-loop HTTP benchmark of one running Intelagent server: a trivial endpoint (the baseline)
// against an authenticated one that crosses the whole request pipeline. See bench/README.md;
// bench/api-pipeline.sh starts the server, registers a user and runs this.
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using Intelagent.Bench;

if (args.Any(a => a is "-h" or "--help"))
{
    Console.WriteLine(Options.Usage);
    return 0;
}

Options options;
try
{
    options = Options.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine($"error: {e.Message}");
    Console.Error.WriteLine();
    Console.Error.WriteLine(Options.Usage);
    return 2;
}
if (options.Token is null)
{
    Console.Error.WriteLine($"error: no bearer token: set ${Options.TokenVariable} (or pass --token)");
    return 2;
}

var started = DateTimeOffset.UtcNow;
var machine = new MachineInfo(
    Environment.ProcessorCount,
    RuntimeInformation.OSDescription,
    RuntimeInformation.FrameworkDescription,
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null,
    "the load generator and the server run on the same machine and share these cores");

// One pool of keep-alive connections, one per worker; the pipeline client adds the bearer token.
using var handler = new SocketsHttpHandler
{
    MaxConnectionsPerServer = options.Concurrency,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    UseCookies = false,
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
};
using var baselineClient = new HttpClient(handler, disposeHandler: false) { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
using var pipelineClient = new HttpClient(handler, disposeHandler: false) { BaseAddress = options.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
pipelineClient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);

// One request each first: a wrong token or path should fail loudly, not become a table of errors.
foreach (var (name, client, path) in new[] { ("baseline", baselineClient, options.BaselinePath), ("pipeline", pipelineClient, options.PipelinePath) })
{
    try
    {
        using var response = await client.GetAsync(path);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            Console.Error.WriteLine($"error: {name} GET {path} answered {(int)response.StatusCode} before any load: {body[..Math.Min(body.Length, 500)]}");
            return 1;
        }
    }
    catch (HttpRequestException e)
    {
        Console.Error.WriteLine($"error: {name} GET {path} failed before any load: {e.Message}");
        return 1;
    }
}

Console.WriteLine(Report.Header(options, machine, started));
Console.WriteLine();

var meter = new CpuMeter(options.ServerPid);
var warmup = TimeSpan.FromSeconds(options.WarmupSeconds);
var measured = TimeSpan.FromSeconds(options.Seconds);
var warmUpOutcomes = new Dictionary<string, IReadOnlyDictionary<string, int>>();
var warmUpErrors = 0;
var results = new Dictionary<string, PhaseResult>();
// Sequential, same server process: warm up and measure the baseline, then the pipeline.
foreach (var (name, client, path) in new[] { ("baseline", baselineClient, options.BaselinePath), ("pipeline", pipelineClient, options.PipelinePath) })
{
    if (options.WarmupSeconds > 0)
    {
        Console.Error.WriteLine($"[bench] {name}: warm-up {options.WarmupSeconds:0.##} s");
        var tally = await LoadRunner.WarmUpAsync(client, path, options.Concurrency, warmup);
        warmUpOutcomes[name] = tally.Outcomes;
        warmUpErrors += tally.Errors;
        if (tally.Errors > 0) Console.Error.WriteLine($"[bench] WARNING {Report.Outcomes($"{name} warm-up", tally.Outcomes)}");
    }
    Console.Error.WriteLine($"[bench] {name}: measuring (at most {options.MaxRequests:N0} requests or {options.Seconds:0.##} s)");
    results[name] = await LoadRunner.MeasureAsync(client, path, options.Concurrency, measured, options.MaxRequests, meter);
}

var baseline = results["baseline"];
var pipeline = results["pipeline"];
var ratios = Report.RatiosOf(baseline, pipeline);
var errorsSeen = baseline.Errors + pipeline.Errors + warmUpErrors > 0;

Console.WriteLine(Report.Table(baseline, pipeline, ratios));
Console.WriteLine();
Console.WriteLine("  " + Report.Outcomes("baseline responses", baseline.Outcomes));
Console.WriteLine("  " + Report.Outcomes("pipeline responses", pipeline.Outcomes));
if (errorsSeen)
    Console.WriteLine("  WARNING: the server answered non-2xx or requests failed (see the responses above); the figures include them.");
var cpuLines = Report.CpuLines(baseline, pipeline);
if (cpuLines.Length > 0)
{
    Console.WriteLine();
    Console.WriteLine(cpuLines);
}
var disturbed = new[] { baseline, pipeline }.Any(r => r.Cpu?.OtherCores > Report.DisturbedAbove);
if (disturbed)
    Console.WriteLine($"  WARNING: other processes used more than {Report.DisturbedAbove} of a core during a measured phase; the figures are disturbed, run again on a quiet machine.");

var report = new BenchReport("api-pipeline", started, machine, options.BaseUrl.ToString(), options.GitCommit, options.ServerNote,
    new Settings(options.Concurrency, options.WarmupSeconds, options.Seconds, options.MaxRequests, "HTTP/1.1 keep-alive, SocketsHttpHandler"),
    warmUpOutcomes, baseline, pipeline, ratios, errorsSeen, disturbed);
var file = await Report.WriteJsonAsync(report, options.OutputDirectory);
Console.WriteLine();
Console.WriteLine($"  JSON: {file}");
return 0;
