using Intelagent.Server.Billing.Metrics;
using Intelagent.Server.Billing.Payments;
using Intelagent.Server.Billing.Subscriptions;
using Intelagent.Server.Documents;
using Intelagent.Server.Identity;
using Intelagent.Server.Insights;
using Intelagent.Server.Organizations;
using Intelagent.Server.Platform;
using Intelagent.Server.Platform.Cli;
using Intelagent.Server.Platform.Data;
using Intelagent.Server.Platform.Telemetry;
using Intelagent.Server.Portal;
using Intelagent.Server.Realtime;
using Intelagent.Server.Security;
using Intelagent.Server.Security.Access;
using Intelagent.Server.Security.Sms;
using Intelagent.Server.Security.Sso;
using Intelagent.Server.Usage;

var (command, hostArguments, exitCode) = Commands.Parse(args);
if (exitCode is not null) return exitCode.Value;

var builder = WebApplication.CreateBuilder(hostArguments);
var dataDirectory = Hosting.DataDirectory(builder.Configuration);
var database = DatabaseSettings.Parse(builder.Configuration["DATABASE_URL"], dataDirectory);
Hosting.ConfigureUrls(builder);
builder.AddTelemetry();

builder.Services
    .AddPlatform(builder.Configuration, database)
    .AddIdentityModule(builder.Configuration, builder.Environment, dataDirectory)
    .AddOrganizations(builder.Configuration)
    .AddRealtime(builder.Configuration)
    .AddAuditTrail(builder.Configuration, dataDirectory)
    .AddAccessControl()
    .AddSso(builder.Configuration)
    .AddSms(builder.Configuration)
    .AddUsage()
    .AddDocuments()
    .AddBillingSubscriptions()
    .AddPayments(builder.Configuration)
    .AddCompliance()
    .AddFinancialMetrics()
    .AddInsights(builder.Configuration)
    .AddInsightPredictions()
    .AddInsightQueries(builder.Configuration)
    .AddPortal();
command?.ConfigureServices(builder.Services);

var app = builder.Build();
app.UseIntelagentPipeline();
app.MapPlatform();
app.MapTelemetry();
app.MapIdentity();
app.MapOrganizations();
app.MapRealtime();
app.MapAuditTrail();
app.MapAccessControl();
app.MapSso();
app.MapSms();
app.MapUsage();
app.MapDocuments();
app.MapBillingSubscriptions();
app.MapPayments();
app.MapCompliance();
app.MapFinancialMetrics();
app.MapInsights();
app.MapInsightPredictions();
app.MapInsightQueries();
app.MapPortal();

if (command is not null) return await Commands.RunAsync(command, app.Services);

await Startup.PrepareAsync(app);
Hosting.PrintWelcome(app);
await app.RunAsync();
return 0;

public partial class Program;
