using System.Diagnostics;
using System.Globalization;

namespace Intelagent.Bench;

/// <summary>
/// Where the CPU went during one measured phase, in cores (1.0 = one core busy for the whole phase):
/// the server, this load generator, and everything else on the machine. With client and server on
/// the same few cores, "other" above a few tenths of a core means the figures were disturbed.
/// Server CPU per request does not depend on how many requests the client managed to send, but
/// contention still inflates it (cache misses, spinning), so it too needs a quiet machine.
/// </summary>
public sealed record CpuUse(double ServerCores, double LoadGeneratorCores, double OtherCores, double? ServerCpuMicrosecondsPerRequest);

/// <summary>Linux only (reads /proc); elsewhere every reading is null and nothing is reported.</summary>
public sealed class CpuMeter(int? serverPid)
{
    // /proc times are in USER_HZ clock ticks, 100 per second on every mainstream Linux build.
    private const double TicksPerSecond = 100;

    public static bool Available => File.Exists("/proc/stat");

    public Snapshot? Take()
    {
        if (!Available) return null;
        try
        {
            var machineBusy = MachineBusyTicks();
            var server = serverPid is { } pid ? ProcessTicks(pid) : (long?)null;
            using var self = Process.GetCurrentProcess();
            return new Snapshot(Stopwatch.GetTimestamp(), machineBusy, server, self.TotalProcessorTime);
        }
        catch (IOException)
        {
            return null;
        }
    }

    public static CpuUse? Between(Snapshot? before, Snapshot? after, int requests)
    {
        if (before is null || after is null) return null;
        var seconds = (after.Timestamp - before.Timestamp) / (double)Stopwatch.Frequency;
        if (seconds <= 0) return null;
        var machine = (after.MachineBusyTicks - before.MachineBusyTicks) / TicksPerSecond;
        var client = (after.LoadGeneratorCpu - before.LoadGeneratorCpu).TotalSeconds;
        double? server = after.ServerTicks is { } s1 && before.ServerTicks is { } s0 ? (s1 - s0) / TicksPerSecond : null;
        var other = Math.Max(0, machine - client - (server ?? 0));
        return new CpuUse(
            Math.Round((server ?? 0) / seconds, 2),
            Math.Round(client / seconds, 2),
            Math.Round(other / seconds, 2),
            server is { } cpu && requests > 0 ? Math.Round(cpu * 1e6 / requests, 1) : null);
    }

    /// <summary>Busy time of all cores: user, nice, system, irq, softirq, steal (not idle, not iowait).</summary>
    private static long MachineBusyTicks()
    {
        var line = File.ReadLines("/proc/stat").First();
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return f[0] + f[1] + f[2] + f[5] + f[6] + (f.Length > 7 ? f[7] : 0);
    }

    /// <summary>utime + stime of a process (fields 14 and 15 of /proc/PID/stat), or null once it is gone.</summary>
    private static long? ProcessTicks(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
        // The command name (field 2) is in parentheses and may contain spaces: count from after it.
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
    }

    public sealed record Snapshot(long Timestamp, long MachineBusyTicks, long? ServerTicks, TimeSpan LoadGeneratorCpu);
}
