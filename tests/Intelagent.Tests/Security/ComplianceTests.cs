using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Intelagent.Server.Security.Compliance;
using Intelagent.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Intelagent.Tests.Security;

public sealed class ComplianceTestsOnSqlite(SqliteApp app) : ComplianceTests<SqliteApp>(app);
public sealed class ComplianceTestsOnPostgres(PostgresApp app) : ComplianceTests<PostgresApp>(app);

public abstract class ComplianceTests<TApp>(TApp app) : IClassFixture<TApp> where TApp : TestApp
{
    [Fact]
    public async Task Get_ShouldJudgeEveryFrameworkFromTheOrganizationsState()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);
        var before = await ComplianceAsync(client);
        Assert.Equal(["gdpr", "ccpa", "hipaa", "soc2"], before.GetProperty("frameworks").EnumerateArray().Select(f => f.GetProperty("code").GetString()));
        Assert.Equal("not_met", Control(before, "gdpr.storage_limitation").GetProperty("status").GetString());
        Assert.Equal("not_met", Control(before, "soc2.cc6_1").GetProperty("status").GetString());
        Assert.Equal("met", Control(before, "gdpr.data_subject_rights").GetProperty("status").GetString());

        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/retention", new
        {
            policies = new object[] { new { category = "notifications", days = 90 }, new { category = "activity", days = 90 }, new { category = "audit_entries", days = 100 } },
        }), HttpStatusCode.OK);
        await Api.ExpectAsync(await client.PutAsJsonAsync("/api/security/settings", new { passwordPolicy = new { minLength = 14 } }), HttpStatusCode.OK);
        var after = await ComplianceAsync(client);

        Assert.Equal("met", Control(after, "gdpr.storage_limitation").GetProperty("status").GetString());
        var logicalAccess = Control(after, "soc2.cc6_1");
        Assert.Equal("partly_met", logicalAccess.GetProperty("status").GetString());
        Assert.Contains("two-factor authentication is not required", logicalAccess.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        // 100 days of audit entries is short of HIPAA's six years and SOC 2's one.
        Assert.Equal("not_met", Control(after, "hipaa.documentation_retention").GetProperty("status").GetString());
        Assert.Equal("partly_met", Control(after, "soc2.c1_2").GetProperty("status").GetString());
        var gdpr = after.GetProperty("frameworks")[0];
        Assert.Equal(gdpr.GetProperty("controls").GetArrayLength(),
            gdpr.GetProperty("met").GetInt32() + gdpr.GetProperty("partlyMet").GetInt32() + gdpr.GetProperty("notMet").GetInt32());
    }

    [Theory]
    [InlineData("pdf", "application/pdf")]
    [InlineData("csv", "text/csv")]
    [InlineData("json", "application/json")]
    public async Task Report_ShouldDownloadInEachFormat(string format, string contentType)
    {
        var owner = await app.RegisterAsync();

        var response = await app.WithToken(owner.Token).GetAsync($"/api/security/compliance/report?format={format}");

        await Api.ExpectAsync(response, HttpStatusCode.OK);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        switch (format)
        {
            case "pdf": Assert.Equal("%PDF", System.Text.Encoding.ASCII.GetString(bytes, 0, 4)); break;
            case "csv":
                var lines = System.Text.Encoding.UTF8.GetString(bytes).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
                Assert.Equal("framework,control,reference,title,status,reason", lines[0]);
                Assert.Equal(ComplianceControls.All.Count + 1, lines.Length);
                break;
            default: Assert.Equal(4, JsonDocument.Parse(bytes).RootElement.GetProperty("frameworks").GetArrayLength()); break;
        }
    }

    [Fact]
    public async Task Report_WithAnUnknownFormat_ShouldAnswer400()
    {
        var owner = await app.RegisterAsync();
        await Api.ExpectProblemAsync(await app.WithToken(owner.Token).GetAsync("/api/security/compliance/report?format=docx"), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task MonthlyJob_ShouldKeepOneReportPerMonth_ToListAndDownload()
    {
        var owner = await app.RegisterAsync();
        var client = app.WithToken(owner.Token);

        await RunMonthlyAsync();
        await RunMonthlyAsync();

        var list = await (await client.GetAsync("/api/security/compliance/reports")).JsonAsync();
        var kept = Assert.Single(list.GetProperty("items").EnumerateArray());
        Assert.Equal(MonthlyComplianceReportJob.PeriodOf(app.Clock.GetUtcNow()), kept.GetProperty("period").GetString());
        var download = await client.GetAsync(kept.GetProperty("downloadUrl").GetString() + "?format=csv");
        await Api.ExpectAsync(download, HttpStatusCode.OK);
        Assert.StartsWith("framework,control", await download.Content.ReadAsStringAsync());
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditEntries.CountAsync(e => e.OrganizationId == owner.OrganizationId && e.Action == "compliance.report_generated")));
        await Api.ExpectProblemAsync(await client.GetAsync("/api/security/compliance/reports/crep_01jzzzzzzzzzzzzzzzzzzzzzzz"), HttpStatusCode.NotFound);
    }

    private async Task RunMonthlyAsync()
    {
        await using var scope = app.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<MonthlyComplianceReportJob>().RunAsync(CancellationToken.None);
    }

    private static async Task<JsonElement> ComplianceAsync(HttpClient client)
    {
        var response = await client.GetAsync("/api/security/compliance");
        await Api.ExpectAsync(response, HttpStatusCode.OK);
        return await response.JsonAsync();
    }

    private static JsonElement Control(JsonElement compliance, string id) => compliance.GetProperty("frameworks").EnumerateArray()
        .SelectMany(f => f.GetProperty("controls").EnumerateArray()).Single(c => c.GetProperty("id").GetString() == id);
}
