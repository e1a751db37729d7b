using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Intelagent.Server.Platform.Cli.Backups;

/// <summary>A PostgreSQL client program and its version.</summary>
public sealed record PostgresTool(string Path, Version Version);

/// <summary>
/// Finds pg_dump and pg_restore and runs them. The newest of PG_BIN_DIR, Debian's
/// /usr/lib/postgresql/*/bin and PATH wins: pg_dump refuses a server newer than itself, and a newer
/// pg_dump reads every older server. Connection settings, the password above all, go through the
/// PG* environment variables, never the command line (which any local user can read in ps).
/// </summary>
public static partial class PostgresTools
{
    public static PostgresTool Find(string name, IConfiguration configuration)
    {
        var candidates = new List<string>();
        if (configuration["PG_BIN_DIR"] is { Length: > 0 } configured) candidates.Add(Path.Combine(configured, name));
        if (Directory.Exists("/usr/lib/postgresql"))
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin", name)));
        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries).Select(d => Path.Combine(d, name)));
        PostgresTool? best = null;
        foreach (var path in candidates.Where(File.Exists).Distinct())
        {
            var version = VersionOf(path);
            if (version is not null && (best is null || version > best.Version)) best = new PostgresTool(path, version);
        }
        return best ?? throw new CliException($"{name} was not found on PATH or under /usr/lib/postgresql/*/bin: install the PostgreSQL client (apt-get install postgresql-client) or set PG_BIN_DIR");
    }

    private static Version? VersionOf(string path)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(path, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            if (process is null) return null;
            var text = process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(10_000)) process.Kill();
            var match = VersionPattern().Match(text);
            return match.Success ? new Version(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Success ? int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture) : 0) : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // not executable
        }
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")]
    private static partial Regex VersionPattern();

    /// <summary>
    /// Runs a tool to the end, handing each standard-error line to <paramref name="onError"/> and
    /// returning standard output. A non-zero exit becomes a <see cref="CliException"/> quoting the tool's last error line.
    /// </summary>
    public static async Task<string> RunAsync(PostgresTool tool, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment,
        Action<string> onError, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(tool.Path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (key, value) in environment) start.Environment[key] = value;
        using var process = new Process { StartInfo = start };
        var errors = new List<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (errors) errors.Add(e.Data);
            onError(e.Data);
        };
        process.Start();
        process.BeginErrorReadLine();
        var output = new StringBuilder();
        var reading = Task.Run(async () => output.Append(await process.StandardOutput.ReadToEndAsync(cancellationToken)), cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
            await reading;
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        process.WaitForExit(); // drains the asynchronous standard-error reader
        if (process.ExitCode != 0)
        {
            string? last;
            lock (errors) last = errors.LastOrDefault(l => l.Contains("error", StringComparison.OrdinalIgnoreCase)) ?? errors.LastOrDefault();
            throw new CliException($"{Path.GetFileName(tool.Path)} failed (exit code {process.ExitCode}): {last ?? "no message"}");
        }
        return output.ToString();
    }
}
