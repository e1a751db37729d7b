using System.CommandLine;
using System.Globalization;
using Intelagent.Server.Billing.Invoicing;
using Intelagent.Server.Billing.Kernel;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// <c>billing-run</c>: the scheduled billing run (the same <see cref="BillingRunService"/> the
/// BillingRunJob calls), once, printing the invoices it issued. <c>--at</c> runs it as of another
/// instant: the platform's clock starts there and moves on in real time, so ids stay ordered.
/// </summary>
public sealed class BillingRunCommand(DateTimeOffset? at) : ICliCommand
{
    public static Command Define(Action<ICliCommand> choose)
    {
        var at = new Option<DateTimeOffset?>("--at")
        {
            Description = "Run as of this UTC instant (ISO 8601, e.g. 2026-12-01T00:00:00Z); now by default",
            CustomParser = result =>
            {
                var text = result.Tokens.Single().Value;
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)) return parsed;
                result.AddError($"--at: '{text}' is not an ISO 8601 time (e.g. 2026-12-01T00:00:00Z).");
                return null;
            },
        };
        var command = new Command("billing-run", "Renew what is due and issue its invoices, once") { at };
        command.SetAction(result => choose(new BillingRunCommand(result.GetValue(at))));
        return command;
    }

    public void ConfigureServices(IServiceCollection services)
    {
        if (at is not { } start) return;
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(new ShiftedTimeProvider(start));
    }

    public async Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken)
    {
        await DatabaseSetup.MigrateAsync(services, cancellationToken);
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var startedAt = db.Clock.GetUtcNow();
        console.Progress($"Billing run as of {startedAt:O}");
        var before = (await IssuedSinceAsync(db, startedAt, cancellationToken)).Select(i => i.Id).ToHashSet();
        var result = await scope.ServiceProvider.GetRequiredService<BillingRunService>().RunAsync(cancellationToken);
        var issued = (await IssuedSinceAsync(db, startedAt, cancellationToken)).Where(i => !before.Contains(i.Id)).ToList();
        foreach (var invoice in issued)
            console.Output.WriteLine(string.Join('\t', invoice.Id, invoice.Number, invoice.OrganizationId, invoice.Total.ToString("0.00", CultureInfo.InvariantCulture), invoice.Currency));
        console.Progress($"Renewed {result.Renewed}, trials ended {result.TrialsEnded}, canceled {result.Canceled}, invoices issued {result.InvoicesIssued}, skipped {result.Skipped}.");
    }

    private sealed record IssuedInvoice(string Id, string? Number, string OrganizationId, decimal Total, string Currency);

    private static async Task<List<IssuedInvoice>> IssuedSinceAsync(AppDb db, DateTimeOffset since, CancellationToken cancellationToken)
    {
        // Invoice ids are ULIDs minted on the platform's clock: an id made just before the run sorts below every invoice of the run.
        var lowerBound = Ids.Id.New(Ids.IdPrefix.Invoice, new ShiftedTimeProvider(since.AddMilliseconds(-5)));
        return await db.Set<Invoice>().IgnoreQueryFilters().AsNoTracking()
            .Where(i => i.IssuedAt != null && string.Compare(i.Id, lowerBound) > 0)
            .OrderBy(i => i.Id)
            .Select(i => new IssuedInvoice(i.Id, i.Number, i.OrganizationId, i.Total, i.Currency)).ToListAsync(cancellationToken);
    }
}

/// <summary>A clock that starts at a chosen instant and then runs at the real pace.</summary>
public sealed class ShiftedTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly TimeSpan _offset = start - System.GetUtcNow();

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + _offset;
}
