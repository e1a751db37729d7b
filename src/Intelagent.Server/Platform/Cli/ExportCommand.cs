using System.CommandLine;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform.Data;
using Microsoft.EntityFrameworkCore;

namespace Intelagent.Server.Platform.Cli;

/// <summary>
/// <c>export</c>: one organization's data as one JSON document (see <see cref="OrganizationExporter"/>),
/// to a file or to standard output (<c>--output -</c>). A file is written beside its final name and
/// moved into place, so a failed export leaves no half file.
/// </summary>
public sealed class ExportCommand(string organization, string output) : ICliCommand
{
    public static Command Define(Action<ICliCommand> choose)
    {
        var organization = new Option<string>("--organization") { Description = "The organization's id (org_...), name, or name as a slug (acme-support-co)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "The JSON file to write, or - for standard output", Required = true };
        var command = new Command("export", "Export one organization's data as JSON") { organization, output };
        command.SetAction(result => choose(new ExportCommand(result.GetValue(organization)!.Trim(), result.GetValue(output)!)));
        return command;
    }

    public async Task RunAsync(IServiceProvider services, CliConsole console, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDb>();
        var found = await FindAsync(db, organization, cancellationToken);
        console.Progress($"Exporting {found.Name} ({found.Id})");
        var exporter = new OrganizationExporter(db, console);
        int rows;
        if (output == "-")
        {
            await using var stdout = Console.OpenStandardOutput();
            rows = await exporter.WriteAsync(found, stdout, cancellationToken);
        }
        else
        {
            var path = Path.GetFullPath(output);
            var partial = path + ".partial";
            await using (var file = File.Create(partial))
                rows = await exporter.WriteAsync(found, file, cancellationToken);
            File.Move(partial, path, overwrite: true);
            console.Progress($"Wrote {path} ({new FileInfo(path).Length:N0} bytes)");
        }
        console.Progress($"Exported {rows} rows.");
    }

    /// <summary>By id, then by exact name, then by slug; a name two organizations share is refused.</summary>
    private static async Task<Organization> FindAsync(AppDb db, string key, CancellationToken cancellationToken)
    {
        var organizations = db.Organizations.IgnoreQueryFilters().AsNoTracking();
        if (await organizations.FirstOrDefaultAsync(o => o.Id == key, cancellationToken) is { } byId) return byId;
        var all = await organizations.Select(o => new { o.Id, o.Name }).ToListAsync(cancellationToken);
        var matches = all.Where(o => string.Equals(o.Name, key, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0) matches = all.Where(o => Slug(o.Name) == Slug(key)).ToList();
        return matches.Count switch
        {
            0 => throw new CliException($"no organization has the id, name or slug '{key}'"),
            1 => await organizations.FirstAsync(o => o.Id == matches[0].Id, cancellationToken),
            _ => throw new CliException($"{matches.Count} organizations are named '{key}': use the id ({string.Join(", ", matches.Select(m => m.Id))})"),
        };
    }

    public static string Slug(string name) =>
        string.Join('-', new string(name.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : ' ').ToArray()).Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
