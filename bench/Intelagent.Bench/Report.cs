using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Intelagent.Bench;

public sealed record MachineInfo(int LogicalCores, string Os, string Runtime, string? LoadAverageAtStart, string Note);

public sealed record Settings(int Concurrency, double WarmupSeconds, double MaxSeconds, int MaxRequests, string Http);

/// <summary>Pipeline divided by baseline. Throughput below 1 and latencies above 1 mean the pipeline costs that much more.</summary>
public sealed record Ratios(double? Throughput, double? P50, double? P99, double? ServerCpuPerRequest, string Meaning);

public sealed record BenchReport(
    string Benchmark,
    DateTimeOffset StartedAtUtc,
    MachineInfo Machine,
    string BaseUrl,
    string? GitCommit,
    string? ServerNote,
    Settings Settings,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> WarmUpOutcomes,
    PhaseResult Baseline,
    PhaseResult Pipeline,
    Ratios Ratios,
    bool ErrorsSeen,
    bool DisturbedByOtherProcesses);

public static class Report
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        // A local results file, never embedded in HTML: keep < and > readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static Ratios RatiosOf(PhaseResult baseline, PhaseResult pipeline) => new(
        Divide(pipeline.RequestsPerSecond, baseline.RequestsPerSecond),
        Divide(pipeline.P50Ms, baseline.P50Ms),
        Divide(pipeline.P99Ms, baseline.P99Ms),
        pipeline.Cpu?.ServerCpuMicrosecondsPerRequest is { } p && baseline.Cpu?.ServerCpuMicrosecondsPerRequest is { } b ? Divide(p, b) : null,
        "pipeline / baseline: throughput < 1 and p50/p99/server CPU per request > 1 mean the pipeline costs that much more than the bare host");

    /// <summary>Cores used by other processes during a measured phase above which the run is flagged as disturbed.</summary>
    public const double DisturbedAbove = 0.25;

    public static string CpuLines(PhaseResult baseline, PhaseResult pipeline)
    {
        if (baseline.Cpu is null || pipeline.Cpu is null) return "";
        var text = new StringBuilder("  CPU during the measured phases, in cores (server / load generator / other processes):");
        foreach (var (name, cpu) in new[] { ("baseline", baseline.Cpu), ("pipeline", pipeline.Cpu) })
        {
            text.AppendLine();
            text.Append(Invariant, $"    {name}  {cpu.ServerCores:0.00} / {cpu.LoadGeneratorCores:0.00} / {cpu.OtherCores:0.00}");
            if (cpu.ServerCpuMicrosecondsPerRequest is { } us) text.Append(Invariant, $"   server CPU per request {us:0.0} µs");
        }
        return text.ToString();
    }

    public static string Header(Options options, MachineInfo machine, DateTimeOffset started)
    {
        var text = new StringBuilder();
        text.AppendLine(Invariant, $"Intelagent API pipeline benchmark, {started:yyyy-MM-dd HH:mm:ss} UTC");
        text.AppendLine(Invariant, $"  server   {options.BaseUrl.GetLeftPart(UriPartial.Authority)}{(options.GitCommit is null ? "" : $"  commit {options.GitCommit}")}");
        if (options.ServerNote is not null) text.AppendLine(Invariant, $"           {options.ServerNote}");
        text.AppendLine(Invariant, $"  machine  {machine.LogicalCores} logical cores, SHARED by this load generator and the server; load average at start {machine.LoadAverageAtStart ?? "n/a"}");
        text.AppendLine("           absolute figures are pessimistic (the client eats CPU the server would have); compare the ratios");
        text.AppendLine(Invariant, $"  load     {options.Concurrency} concurrent workers (one keep-alive HTTP/1.1 connection each), closed loop;");
        text.Append(Invariant, $"           warm-up {Number(options.WarmupSeconds)} s per endpoint, then at most {options.MaxRequests:N0} requests or {Number(options.Seconds)} s, whichever first");
        return text.ToString();
    }

    public static string Table(PhaseResult baseline, PhaseResult pipeline, Ratios ratios)
    {
        string[] headings = ["endpoint", "requests", "errors", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "stopped by"];
        var rows = new List<string[]> { headings, Row("baseline", baseline), Row("pipeline", pipeline) };
        var widths = headings.Select((_, c) => rows.Max(r => r[c].Length)).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows)
        {
            text.Append("  ").Append(row[0].PadRight(widths[0]));
            for (var c = 1; c < row.Length; c++) text.Append("  ").Append(row[c].PadLeft(widths[c]));
            text.AppendLine();
        }
        text.AppendLine();
        text.AppendLine(Invariant, $"  baseline = GET {baseline.Path}");
        text.AppendLine(Invariant, $"  pipeline = GET {pipeline.Path}");
        text.AppendLine();
        text.Append(Invariant, $"  pipeline / baseline:  throughput x{Ratio(ratios.Throughput)}   p50 x{Ratio(ratios.P50)}   p99 x{Ratio(ratios.P99)}");
        text.AppendLine(ratios.ServerCpuPerRequest is null ? "" : $"   server CPU per request x{Ratio(ratios.ServerCpuPerRequest)}");
        text.Append("  (throughput below 1 and latency above 1 = what auth, session, tenancy, policy and EF Core add)");
        return text.ToString();
    }

    public static string Outcomes(string name, IReadOnlyDictionary<string, int> outcomes) =>
        $"{name}: " + string.Join(", ", outcomes.Select(o => $"{o.Key} x{o.Value.ToString("N0", Invariant)}"));

    public static async Task<string> WriteJsonAsync(BenchReport report, string directory)
    {
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, $"api-pipeline-{report.StartedAtUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", Invariant)}.json");
        await using var stream = File.Create(path);
        await JsonSerializer.SerializeAsync(stream, report, Json);
        await stream.WriteAsync("\n"u8.ToArray());
        return Path.GetFullPath(path);
    }

    private static string[] Row(string name, PhaseResult r) =>
    [
        name,
        r.Requests.ToString("N0", Invariant),
        r.Errors.ToString("N0", Invariant),
        r.RequestsPerSecond.ToString("N0", Invariant),
        r.P50Ms.ToString("0.00", Invariant),
        r.P90Ms.ToString("0.00", Invariant),
        r.P99Ms.ToString("0.00", Invariant),
        r.MaxMs.ToString("0.0", Invariant),
        r.StoppedBy,
    ];

    private static double? Divide(double numerator, double denominator) =>
        denominator > 0 ? Math.Round(numerator / denominator, 3) : null;

    private static string Ratio(double? value) => value?.ToString("0.00", Invariant) ?? "n/a";

    private static string Number(double value) => value.ToString("0.##", Invariant);
}
