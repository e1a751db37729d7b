namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// One verb of the command line. It runs on the built service provider of the platform (so it uses
/// the same DATABASE_URL, modules and services as the server) but the host is never started: no web
/// server, no Quartz jobs, no background services.
/// </summary>
public interface ICliCommand
{
    /// <summary>Last word on the services before the provider is built (billing-run's clock).</summary>
    void ConfigureServices(IServiceCollection services)
    {
    }

    Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken);
}

/// <summary>An expected failure: its message is the one line the operator reads, no stack trace.</summary>
public sealed class CliException(string message, int exitCode = CliExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

public static class CliExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadArguments = 2;
}

/// <summary>
/// Where a verb writes: results to standard output (so `export --output -` pipes clean JSON), progress
/// and errors to standard error.
/// </summary>
public sealed class CliConsole(TextWriter output, TextWriter error)
{
    public static CliConsole System { get; } = new(Console.Out, Console.Error);

    public TextWriter Output => output;

    public void Progress(string line) => error.WriteLine(line);

    public void Error(string line) => error.WriteLine("error: " + line);
}

/// <summary>Lets the seeding code's log lines ("Seeded demo data: 4 organizations") read as progress.</summary>
public sealed class CliProgressLogger(CliConsole console) : ILogger
{
    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel)) console.Progress("  " + formatter(state, exception));
    }
}
