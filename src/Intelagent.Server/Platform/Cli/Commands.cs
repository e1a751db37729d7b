using System.CommandLine;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// The server's command line: <c>serve</c> (the default) runs the platform; the other verbs run once
/// against DATABASE_URL and exit, starting no web server and no jobs. Arguments of <c>serve</c> (such
/// as <c>--urls</c>) go to the host unchanged; the other verbs refuse arguments they do not know.
/// Exit codes: 0 done, 1 failed, 2 bad arguments.
/// </summary>
public static class Commands
{
    /// <summary>Settings every verb runs with: no jobs, and log lines on standard error so standard output stays the verb's own.</summary>
    private static readonly string[] VerbHostArguments =
    [
        "--Jobs:Enabled=false",
        "--Logging:LogLevel:Default=Warning",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
        "--Logging:LogLevel:Microsoft.AspNetCore.StaticFiles=Error", // no wwwroot beside a verb run from another folder
        "--Logging:LogLevel:Microsoft.EntityFrameworkCore=Critical", // a failure reaches the verb as an exception, printed once
        "--Logging:Console:LogToStandardErrorThreshold=Trace",
    ];

    public static (ICliCommand? Command, string[] HostArguments, int? ExitCode) Parse(string[] args)
    {
        ICliCommand? chosen = null;
        void Choose(ICliCommand command) => chosen = command;
        var root = new RootCommand("Intelagent platform server") { TreatUnmatchedTokensAsErrors = false };
        var serve = new Command("serve", "Run the platform (the default)") { TreatUnmatchedTokensAsErrors = false };
        serve.SetAction(_ => chosen = null);
        root.SetAction(_ => chosen = null);
        root.Subcommands.Add(serve);
        root.Subcommands.Add(MigrateCommand.Define(Choose));
        root.Subcommands.Add(SeedCommand.Define(Choose));
        root.Subcommands.Add(CreateAdminCommand.Define(Choose));
        root.Subcommands.Add(ExportCommand.Define(Choose));
        root.Subcommands.Add(BillingRunCommand.Define(Choose));
        root.Subcommands.Add(BackupCommand.Define(Choose));
        root.Subcommands.Add(RestoreCommand.Define(Choose));
        var result = root.Parse(args);
        // The root passes unknown arguments on to the host, and the parser applies that to every verb: the strict verbs check here.
        var verb = result.CommandResult.Command;
        IReadOnlyList<string> unknown = verb != root && verb.TreatUnmatchedTokensAsErrors ? result.UnmatchedTokens : [];
        if (result.Errors.Count > 0 || unknown.Count > 0)
        {
            foreach (var error in result.Errors) Console.Error.WriteLine("error: " + error.Message);
            foreach (var token in unknown) Console.Error.WriteLine($"error: unrecognized argument '{token}'");
            Console.Error.WriteLine($"Run with '{result.CommandResult.Command.Name} --help' for usage.");
            return (null, [], CliExitCodes.BadArguments);
        }
        var wantsHelp = args.Any(a => a is "-h" or "--help" or "-?");
        var exit = result.Invoke();
        if (wantsHelp || exit != 0) return (null, [], exit);
        if (chosen is null) return (null, result.UnmatchedTokens.ToArray(), null);
        // A bad DATABASE_URL would otherwise surface as a stack trace from the host's setup.
        try
        {
            Data.DatabaseSettings.Parse(Environment.GetEnvironmentVariable("DATABASE_URL"), ".");
        }
        catch (Exception exception) when (exception is InvalidOperationException or UriFormatException or ArgumentException)
        {
            Console.Error.WriteLine("error: " + exception.Message);
            return (null, [], CliExitCodes.BadArguments);
        }
        return (chosen, [.. VerbHostArguments, .. result.UnmatchedTokens], null);
    }

    /// <summary>Runs a verb on the built (never started) application; every failure becomes one line and an exit code.</summary>
    public static async Task<int> RunAsync(ICliCommand command, IServiceProvider services, CliConsole? console = null)
    {
        console ??= CliConsole.System;
        using var cancellation = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            await command.RunAsync(services, console, cancellation.Token);
            return CliExitCodes.Success;
        }
        catch (CliException exception)
        {
            console.Error(exception.Message);
            return exception.ExitCode;
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            console.Error("cancelled");
            return CliExitCodes.Failure;
        }
        catch (Exception exception)
        {
            // Unexpected, but still one line: the type tells a developer where to look.
            console.Error($"{exception.GetBaseException().Message} ({exception.GetBaseException().GetType().Name})");
            return CliExitCodes.Failure;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}

/// <summary>Where the server keeps files and listens, and what it says when it starts.</summary>
public static class Hosting
{
    public static string DataDirectory(IConfiguration configuration) =>
        Path.GetFullPath(configuration["INTELAGENT_DATA_DIR"] is { Length: > 0 } configured ? configured : "data");

    /// <summary>ASPNETCORE_URLS (or --urls) wins; otherwise http://127.0.0.1:PORT, 5080 by default.</summary>
    public static void ConfigureUrls(WebApplicationBuilder builder)
    {
        if (!string.IsNullOrEmpty(builder.Configuration["urls"])) return;
        var port = builder.Configuration["PORT"] is { Length: > 0 } p ? p : "5080";
        var host = builder.Configuration["HOST"] is { Length: > 0 } h ? h : "127.0.0.1";
        builder.WebHost.UseUrls($"http://{host}:{port}");
    }

    public static void PrintWelcome(WebApplication app) => app.Lifetime.ApplicationStarted.Register(() =>
    {
        foreach (var url in app.Urls)
            app.Logger.LogInformation("Intelagent is listening on {Url}: API {Url}/api, reference {Url}/docs, OpenAPI {Url}/openapi/v1.json, health {Url}/health/ready", url, url, url, url, url);
    });
}
