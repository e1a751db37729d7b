using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Tests.Billing;
using Intelagent.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Intelagent.Tests.Platform;

/// <summary>A SQLite platform whose database URL the command line can be pointed at, with the command line's audit key.</summary>
public sealed class CliApp : SqliteApp
{
    public string DatabaseUrl { get; private set; } = "";

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("intelagent-cli-").FullName;

    protected override async Task<string> CreateDatabaseAsync() => DatabaseUrl = await base.CreateDatabaseAsync();

    protected override async Task DropDatabaseAsync()
    {
        await base.DropDatabaseAsync();
        try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { }
    }

    protected override IEnumerable<(string Key, string Value)> ExtraSettings => [("AUDIT_CHAIN_KEY", ServerCli.AuditChainKey)];

    public Task<CliRun> RunAsync(params string[] arguments) => ServerCli.RunAsync(DatabaseUrl, DataDirectory, null, null, arguments);

    public Task<CliRun> RunAsync(IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        ServerCli.RunAsync(DatabaseUrl, DataDirectory, environment, null, arguments);

    public Task<CliRun> RunWithInputAsync(string input, params string[] arguments) => ServerCli.RunAsync(DatabaseUrl, DataDirectory, null, input, arguments);
}

/// <summary>The verbs besides backup and restore, run as the real command against a running platform's database.</summary>
public sealed class CliVerbTests(CliApp app) : IClassFixture<CliApp>
{
    [Fact]
    public async Task CreateAdmin_WithAPasswordInTheEnvironment_ShouldMakeAnOperatorWhoReadsOperatorEndpoints()
    {
        var email = Api.UniqueEmail("ops");
        const string password = "operator-from-the-cli-1";

        var run = await app.RunAsync(new Dictionary<string, string> { ["INTELAGENT_ADMIN_PASSWORD"] = password }, "create-admin", "--email", email, "--name", "Ops Person");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("usr_", run.Output.Trim());
        var token = await app.LoginAsync(email, password);
        var operatorView = await app.WithToken(token).GetAsync("/api/admin/usage");
        await Api.ExpectAsync(operatorView, HttpStatusCode.OK);
        // The same route refuses someone who is not an operator: the 200 above is the flag's doing.
        var customer = await app.RegisterAsync();
        await Api.ExpectProblemAsync(await app.WithToken(customer.Token).GetAsync("/api/admin/usage"), HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task CreateAdmin_WithThePasswordOnStandardInput_ShouldMakeAnOperatorWhoCanSignIn()
    {
        var email = Api.UniqueEmail("ops");
        const string password = "typed-on-standard-input-1";

        var run = await app.RunWithInputAsync(password, "create-admin", "--email", email);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.DoesNotContain(password, run.Output + run.Error);
        var token = await app.LoginAsync(email, password);
        await Api.ExpectAsync(await app.WithToken(token).GetAsync("/api/admin/usage"), HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateAdmin_WithAShortPassword_ShouldExitTwoAndCreateNobody()
    {
        var email = Api.UniqueEmail("ops");

        var run = await app.RunAsync("create-admin", "--email", email, "--password", "short");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("at least", run.Error);
        var signIn = await app.Anonymous().PostAsJsonAsync("/api/auth/login", new { email, password = "short" });
        Assert.Equal(HttpStatusCode.Unauthorized, signIn.StatusCode);
    }

    [Fact]
    public async Task Export_ShouldWriteTheOrganizationsProjectsAndNothingOfAnotherOrganization()
    {
        var mine = await app.RegisterAsync(organizationName: "Exported " + Guid.NewGuid().ToString("N")[..6]);
        var theirs = await app.RegisterAsync(organizationName: "Other " + Guid.NewGuid().ToString("N")[..6]);
        await CreateProjectAsync(mine, "Alpha rocket");
        await CreateProjectAsync(theirs, "Beta secret plan");
        var file = Path.Combine(app.DataDirectory, $"export-{Guid.NewGuid():N}.json");

        var run = await app.RunAsync("export", "--organization", mine.OrganizationId, "--output", file);

        Assert.True(run.ExitCode == 0, run.ToString());
        var text = await File.ReadAllTextAsync(file);
        var export = JsonDocument.Parse(text).RootElement;
        Assert.Equal(mine.OrganizationId, export.GetProperty("organization").GetProperty("id").GetString());
        var projects = export.GetProperty("tables").GetProperty("project").EnumerateArray().ToList();
        Assert.Equal(["Alpha rocket"], projects.Select(p => p.GetProperty("name").GetString()));
        Assert.Contains(export.GetProperty("users").EnumerateArray(), u => u.GetProperty("email").GetString() == mine.Email);
        Assert.DoesNotContain(theirs.OrganizationId, text);
        Assert.DoesNotContain("Beta secret plan", text);
        Assert.DoesNotContain(theirs.Email, text);
        Assert.DoesNotContain("passwordHash", text); // secrets stay out
    }

    [Fact]
    public async Task Export_ToStandardOutputByName_ShouldPrintOnlyTheJson()
    {
        var name = "Piped " + Guid.NewGuid().ToString("N")[..6];
        var mine = await app.RegisterAsync(organizationName: name);

        var run = await app.RunAsync("export", "--organization", name.ToLowerInvariant().Replace(' ', '-'), "--output", "-");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(mine.OrganizationId, JsonDocument.Parse(run.Output).RootElement.GetProperty("organization").GetProperty("id").GetString());
        Assert.Contains("Exported", run.Error);
    }

    [Fact]
    public async Task BillingRun_AtAFixedTime_ShouldIssueTheInvoicesDueOnce()
    {
        var owner = await app.RegisterAsync();
        var subscription = await app.SubscribeAsync(owner, BillingApi.PlatformBasic);
        var periodEnd = subscription.GetProperty("currentPeriodEnd").GetDateTimeOffset();
        var at = periodEnd.AddDays(1).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
        var invoicesBefore = (await app.InvoicesOfAsync(subscription.Id())).Count;

        var first = await app.RunAsync("billing-run", "--at", at);
        var second = await app.RunAsync("billing-run", "--at", at);

        Assert.True(first.ExitCode == 0, first.ToString());
        var invoices = await app.InvoicesOfAsync(subscription.Id());
        Assert.Equal(invoicesBefore + 1, invoices.Count);
        var renewal = invoices.OrderBy(i => i.Id, StringComparer.Ordinal).Last();
        Assert.Equal(periodEnd.UtcDateTime, renewal.PeriodStart!.Value.UtcDateTime, TimeSpan.FromSeconds(1));
        Assert.Contains(first.Output.Split('\n'), line => line.StartsWith(renewal.Id + "\t" + renewal.Number + "\t" + owner.OrganizationId, StringComparison.Ordinal));
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.DoesNotContain(owner.OrganizationId, second.Output);
        Assert.Equal(invoicesBefore + 1, (await app.InvoicesOfAsync(subscription.Id())).Count);
    }

    [Theory]
    [InlineData("export")]
    [InlineData("export", "--organization", "x")]
    [InlineData("billing-run", "--at", "next tuesday")]
    [InlineData("create-admin", "--email", "not-an-email", "--password", "long-enough-password")]
    [InlineData("restore", "--input")]
    [InlineData("backup", "--output", "x.db", "--bogus")]
    public async Task Verb_WithBadArguments_ShouldExitTwoWithOneLineAndNoStackTrace(params string[] arguments)
    {
        var run = await app.RunAsync(arguments);

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.StartsWith("error: ", run.Error);
        Assert.DoesNotContain("   at ", run.Error);
        Assert.Equal("", run.Output);
    }

    [Fact]
    public async Task Restore_OfABackupFromANewerSchema_ShouldRefuseAndLeaveTheTargetAlone()
    {
        await app.RegisterAsync();
        var backupFile = Path.Combine(app.DataDirectory, $"newer-{Guid.NewGuid():N}.db");
        var backup = await app.RunAsync("backup", "--output", backupFile);
        Assert.True(backup.ExitCode == 0, backup.ToString());
        await using (var connection = new SqliteConnection($"Data Source={backupFile};Pooling=False"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO \"__EFMigrationsHistory\" VALUES ('99991231000000_FromTheFuture', '99.0.0')";
            await command.ExecuteNonQueryAsync();
        }
        var target = Path.Combine(app.DataDirectory, $"target-{Guid.NewGuid():N}.db");

        var restore = await ServerCli.RunAsync("sqlite:" + target, app.DataDirectory, null, null, "restore", "--input", backupFile);

        Assert.True(restore.ExitCode == 1, restore.ToString());
        Assert.Contains("newer", restore.Error);
        Assert.False(File.Exists(target));
    }

    [Fact]
    public async Task Migrate_OnAFreshDatabase_ShouldApplyEveryMigrationAndThenFindNothingPending()
    {
        var url = "sqlite:" + Path.Combine(app.DataDirectory, $"migrate-{Guid.NewGuid():N}.db");

        var first = await ServerCli.RunAsync(url, app.DataDirectory, null, null, "migrate");
        var second = await ServerCli.RunAsync(url, app.DataDirectory, null, null, "migrate");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("Applying", first.Error);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("The schema is up to date.", second.Error);
    }

    [Fact]
    public async Task Seed_RunTwice_ShouldLoadTheDemoOrganizationsOnce()
    {
        var url = "sqlite:" + Path.Combine(app.DataDirectory, $"seed-{Guid.NewGuid():N}.db");

        var first = await ServerCli.RunAsync(url, app.DataDirectory, null, null, "seed", "--no-finance", "--no-events");
        var second = await ServerCli.RunAsync(url, app.DataDirectory, null, null, "seed", "--no-finance", "--no-events");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("Seeded demo data: 4 organizations", first.Error);
        Assert.DoesNotContain("Seeded demo data", second.Error);
        await using var connection = new SqliteConnection($"Data Source={url["sqlite:".Length..]};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM \"Organizations\"";
        Assert.Equal(4L, await command.ExecuteScalarAsync());
    }

    private async Task CreateProjectAsync(Account owner, string name) =>
        await Api.ExpectAsync(await app.WithToken(owner.Token).PostAsJsonAsync($"/api/organizations/{owner.OrganizationId}/projects", new { name }), HttpStatusCode.Created);
}
