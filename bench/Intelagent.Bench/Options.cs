using System.Globalization;

namespace Intelagent.Bench;

/// <summary>The command line. Only the server address and the pipeline path have no default.</summary>
public sealed record Options
{
    /// <summary>Environment variable the bearer token is read from (kept off the command line, so off `ps`).</summary>
    public const string TokenVariable = "BENCH_TOKEN";

    public const string Usage = """
        Intelagent.Bench: closed-loop HTTP load against two endpoints of one running server.

        usage: Intelagent.Bench --base-url URL --pipeline-path PATH [options]
          (the bearer token for the pipeline endpoint is read from $BENCH_TOKEN, or --token)

          --base-url URL          the server, e.g. http://127.0.0.1:5080 (required)
          --pipeline-path PATH    the authenticated endpoint, e.g. /api/organizations/org_... (required)
          --baseline-path PATH    the trivial endpoint (default /health/live)
          --seconds N             time bound of each measured phase (default 15)
          --max-requests N        request bound of each measured phase (default 200000)
          --warmup-seconds N      unmeasured warm-up per endpoint (default 2; 0 skips it)
          --concurrency N         concurrent workers = connections (default 32)
          --output-dir DIR        where the JSON result goes (default bench/results)
          --server-pid N          the server's pid: its CPU time per request is reported (Linux, /proc)
          --git-commit TEXT       recorded in the JSON (api-pipeline.sh passes the commit)
          --server-note TEXT      recorded in the JSON and the header (how the server was run)
          -h, --help              this text
        """;

    public required Uri BaseUrl { get; init; }
    public required string PipelinePath { get; init; }
    public string BaselinePath { get; init; } = "/health/live";
    public string? Token { get; init; }
    public double Seconds { get; init; } = 15;
    public int MaxRequests { get; init; } = 200_000;
    public double WarmupSeconds { get; init; } = 2;
    public int Concurrency { get; init; } = 32;
    public string OutputDirectory { get; init; } = Path.Combine("bench", "results");
    public int? ServerPid { get; init; }
    public string? GitCommit { get; init; }
    public string? ServerNote { get; init; }

    /// <summary>Parses <c>--flag value</c> and <c>--flag=value</c>; throws <see cref="ArgumentException"/> on bad input.</summary>
    public static Options Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal)) throw new ArgumentException($"unexpected argument '{arg}'");
            string name, value;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                name = arg[2..equals];
                value = arg[(equals + 1)..];
            }
            else
            {
                name = arg[2..];
                if (i + 1 >= args.Count) throw new ArgumentException($"--{name} needs a value");
                value = args[++i];
            }
            if (!Known.Contains(name)) throw new ArgumentException($"unknown option --{name}");
            values[name] = value;
        }

        var baseUrl = Required(values, "base-url");
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"--base-url '{baseUrl}' is not an http(s) URL");

        var token = values.GetValueOrDefault("token") ?? Environment.GetEnvironmentVariable(TokenVariable);
        var options = new Options
        {
            BaseUrl = uri,
            PipelinePath = AbsolutePath(Required(values, "pipeline-path"), "pipeline-path"),
            BaselinePath = values.TryGetValue("baseline-path", out var baseline) ? AbsolutePath(baseline, "baseline-path") : "/health/live",
            Token = string.IsNullOrWhiteSpace(token) ? null : token.Trim(),
            Seconds = Number(values, "seconds", 15, min: 0.1),
            MaxRequests = (int)Number(values, "max-requests", 200_000, min: 1, integer: true),
            WarmupSeconds = Number(values, "warmup-seconds", 2, min: 0),
            Concurrency = (int)Number(values, "concurrency", 32, min: 1, integer: true),
            OutputDirectory = values.GetValueOrDefault("output-dir") ?? Path.Combine("bench", "results"),
            ServerPid = values.ContainsKey("server-pid") ? (int)Number(values, "server-pid", 0, min: 1, integer: true) : null,
            GitCommit = values.GetValueOrDefault("git-commit"),
            ServerNote = values.GetValueOrDefault("server-note"),
        };
        if (options.Concurrency > options.MaxRequests)
            throw new ArgumentException("--concurrency must not exceed --max-requests");
        return options;
    }

    private static readonly HashSet<string> Known =
    [
        "base-url", "pipeline-path", "baseline-path", "token", "seconds", "max-requests", "warmup-seconds",
        "concurrency", "output-dir", "server-pid", "git-commit", "server-note",
    ];

    private static string Required(Dictionary<string, string> values, string name) =>
        values.TryGetValue(name, out var value) && value.Length > 0 ? value : throw new ArgumentException($"--{name} is required");

    private static string AbsolutePath(string value, string name) =>
        value.StartsWith('/') ? value : throw new ArgumentException($"--{name} must start with '/'");

    private static double Number(Dictionary<string, string> values, string name, double fallback, double min, bool integer = false)
    {
        if (!values.TryGetValue(name, out var text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || double.IsNaN(value) ||
            value < min || value > int.MaxValue || (integer && value != Math.Floor(value)))
            throw new ArgumentException($"--{name} '{text}' must be a{(integer ? "n integer" : " number")} >= {min.ToString(CultureInfo.InvariantCulture)}");
        return value;
    }
}
