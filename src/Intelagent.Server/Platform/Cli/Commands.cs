using System.CommandLine;

namespace Intelagent.Server.Platform.Cli;

public enum Verb
{
    Serve,
    Migrate,
}

/// <summary>
/// The server's command line: <c>serve</c> (the default) runs the platform; <c>migrate</c> applies
/// database migrations for DATABASE_URL and exits. Other arguments (such as <c>--urls</c>) go to
/// the host unchanged.
/// </summary>
public static class Commands
{
    public static (Verb Verb, string[] HostArguments, int? ExitCode) Parse(string[] args)
    {
        var verb = Verb.Serve;
        var root = new RootCommand("Intelagent platform server") { TreatUnmatchedTokensAsErrors = false };
        var serve = new Command("serve", "Run the platform (the default)") { TreatUnmatchedTokensAsErrors = false };
        var migrate = new Command("migrate", "Apply database migrations for DATABASE_URL and exit") { TreatUnmatchedTokensAsErrors = false };
        serve.SetAction(_ => verb = Verb.Serve);
        migrate.SetAction(_ => verb = Verb.Migrate);
        root.SetAction(_ => verb = Verb.Serve);
        root.Subcommands.Add(serve);
        root.Subcommands.Add(migrate);
        var result = root.Parse(args);
        var wantsHelp = args.Any(a => a is "-h" or "--help" or "-?");
        var exit = result.Invoke();
        if (wantsHelp || exit != 0) return (verb, [], exit);
        return (verb, result.UnmatchedTokens.ToArray(), null);
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
