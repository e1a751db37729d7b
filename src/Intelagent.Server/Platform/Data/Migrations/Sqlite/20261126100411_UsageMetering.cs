using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intelagent.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsageMetering : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsageLimitOverrides",
                columns: table => new
                {
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ApiCallsPerDay = table.Column<long>(type: "INTEGER", nullable: true),
                    StorageBytes = table.Column<long>(type: "INTEGER", nullable: true),
                    BandwidthBytesPerMonth = table.Column<long>(type: "INTEGER", nullable: true),
                    Seats = table.Column<int>(type: "INTEGER", nullable: true),
                    Projects = table.Column<int>(type: "INTEGER", nullable: true),
                    RatePerMinute = table.Column<int>(type: "INTEGER", nullable: true),
                    Burst = table.Column<int>(type: "INTEGER", nullable: true),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageLimitOverrides", x => x.OrganizationId);
                });

            migrationBuilder.CreateTable(
                name: "UsageRollups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Metric = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Granularity = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    PeriodStart = table.Column<long>(type: "INTEGER", nullable: false),
                    Value = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageRollups", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageRollups_Granularity_PeriodStart",
                table: "UsageRollups",
                columns: new[] { "Granularity", "PeriodStart" });

            migrationBuilder.CreateIndex(
                name: "IX_UsageRollups_OrganizationId_Metric_Granularity_PeriodStart",
                table: "UsageRollups",
                columns: new[] { "OrganizationId", "Metric", "Granularity", "PeriodStart" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageLimitOverrides");

            migrationBuilder.DropTable(
                name: "UsageRollups");
        }
    }
}
