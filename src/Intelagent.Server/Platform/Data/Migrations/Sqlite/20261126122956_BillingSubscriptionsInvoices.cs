using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Intelagent.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BillingSubscriptionsInvoices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "BillingProfiles",
                columns: table => new
                {
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    BillingEmail = table.Column<string>(type: "TEXT", maxLength: 254, nullable: true),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    TaxRatePercent = table.Column<decimal>(type: "TEXT", precision: 7, scale: 4, nullable: false),
                    PaymentTermDays = table.Column<int>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_BillingProfiles", x => x.OrganizationId);
                });

            migrationBuilder.CreateTable(
                name: "InvoiceCounters",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    LastValue = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InvoiceCounters", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Plans",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Product = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Tier = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Interval = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    UnitAmount = table.Column<decimal>(type: "TEXT", precision: 19, scale: 4, nullable: false),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    TrialDays = table.Column<int>(type: "INTEGER", nullable: false),
                    IncludedQuotas = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    OveragePrices = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: true),
                    Archived = table.Column<bool>(type: "INTEGER", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Plans", x => x.Id);
                });

            migrationBuilder.InsertData(
                table: "InvoiceCounters",
                columns: new[] { "Id", "LastValue" },
                values: new object[] { "invoices", 0L });

            migrationBuilder.InsertData(
                table: "Plans",
                columns: new[] { "Id", "Archived", "CreatedAt", "Currency", "IncludedQuotas", "Interval", "Name", "OrganizationId", "OveragePrices", "Product", "Tier", "TrialDays", "UnitAmount", "Version" },
                values: new object[,]
                {
                    { "plan_00000000000000000000000001", false, 1308729802752000000L, "USD", "{\"api_calls\":30000}", "Month", "Free", null, "{}", "platform", "Free", 0, 0m, 0 },
                    { "plan_00000000000000000000000002", false, 1308729802752000000L, "USD", "{\"api_calls\":300000}", "Month", "Basic", null, "{\"api_calls\":0.0004}", "platform", "Basic", 14, 49m, 0 },
                    { "plan_00000000000000000000000003", false, 1308729802752000000L, "USD", "{\"api_calls\":3000000}", "Month", "Pro", null, "{\"api_calls\":0.0002}", "platform", "Pro", 14, 199m, 0 },
                    { "plan_00000000000000000000000004", false, 1308729802752000000L, "USD", "{}", "Month", "Enterprise", null, "{}", "platform", "Enterprise", 0, 999m, 0 },
                    { "plan_00000000000000000000000005", false, 1308729802752000000L, "USD", "{\"api_calls\":3600000}", "Year", "Basic (yearly)", null, "{\"api_calls\":0.0004}", "platform", "Basic", 14, 490m, 0 },
                    { "plan_00000000000000000000000006", false, 1308729802752000000L, "USD", "{\"api_calls\":36000000}", "Year", "Pro (yearly)", null, "{\"api_calls\":0.0002}", "platform", "Pro", 14, 1990m, 0 },
                    { "plan_00000000000000000000000007", false, 1308729802752000000L, "USD", "{}", "Year", "Enterprise (yearly)", null, "{}", "platform", "Enterprise", 0, 9990m, 0 },
                    { "plan_00000000000000000000000008", false, 1308729802752000000L, "USD", "{}", "Month", "Chatbot Basic", null, "{}", "chatbot", "Basic", 14, 29m, 0 },
                    { "plan_00000000000000000000000009", false, 1308729802752000000L, "USD", "{}", "Month", "Chatbot Pro", null, "{}", "chatbot", "Pro", 14, 99m, 0 },
                    { "plan_00000000000000000000000010", false, 1308729802752000000L, "USD", "{}", "Month", "Email Campaigns Basic", null, "{}", "email_campaigns", "Basic", 14, 19m, 0 },
                    { "plan_00000000000000000000000011", false, 1308729802752000000L, "USD", "{}", "Month", "Email Campaigns Pro", null, "{}", "email_campaigns", "Pro", 14, 79m, 0 },
                    { "plan_00000000000000000000000012", false, 1308729802752000000L, "USD", "{}", "Month", "Lead Enrichment Basic", null, "{}", "lead_enrichment", "Basic", 14, 39m, 0 },
                    { "plan_00000000000000000000000013", false, 1308729802752000000L, "USD", "{}", "Month", "Lead Enrichment Pro", null, "{}", "lead_enrichment", "Pro", 14, 149m, 0 }
                });

            migrationBuilder.CreateIndex(
                name: "IX_Plans_OrganizationId_Product",
                table: "Plans",
                columns: new[] { "OrganizationId", "Product" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "BillingProfiles");

            migrationBuilder.DropTable(
                name: "InvoiceCounters");

            migrationBuilder.DropTable(
                name: "Plans");
        }
    }
}
