using System.CommandLine;
using Intelagent.Server.Insights.Demo;
using Intelagent.Server.Insights.Events;
using Intelagent.Server.Platform.Data;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// <c>seed</c>: the demo data ./run.sh loads in Development (organizations, people, teams, projects;
/// months of finances; product events), after migrating. Each part seeds only when absent, so a
/// second run changes nothing.
/// </summary>
public sealed class SeedCommand(bool finance, bool events) : ICliCommand
{
    public static Command Define(Action<ICliCommand> choose)
    {
        var noFinance = new Option<bool>("--no-finance") { Description = "Leave out the months of generated customer finances" };
        var noEvents = new Option<bool>("--no-events") { Description = "Leave out the generated product events" };
        var command = new Command("seed", "Load the demo data (idempotent)") { noFinance, noEvents };
        command.SetAction(result => choose(new SeedCommand(!result.GetValue(noFinance), !result.GetValue(noEvents))));
        return command;
    }

    public async Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken)
    {
        var logger = new CliProgressLogger(console);
        console.Progress("Migrating the schema");
        await DatabaseSetup.MigrateAsync(services, cancellationToken);
        console.Progress("Seeding organizations, people, teams and projects");
        await DemoData.SeedIfEmptyAsync(services, logger);
        if (finance)
        {
            console.Progress("Seeding customer finances");
            await DemoFinance.SeedIfEmptyAsync(services, logger);
        }
        if (events)
        {
            console.Progress("Seeding product events");
            await DemoProductEvents.SeedIfEmptyAsync(services, logger, cancellationToken);
        }
        console.Progress("Seeded.");
    }
}
