using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intelagent.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InsightsEventsStore : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Insights",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Detector = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Fingerprint = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Title = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: false),
                    Confidence = table.Column<double>(type: "REAL", nullable: false),
                    Impact = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Recommendation = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    DataPointsJson = table.Column<string>(type: "TEXT", nullable: false),
                    AmountAtStake = table.Column<decimal>(type: "TEXT", precision: 19, scale: 4, nullable: true),
                    Currency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    UsageAtStake = table.Column<double>(type: "REAL", nullable: true),
                    DetectedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    LastDetectedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    IsCurrent = table.Column<bool>(type: "INTEGER", nullable: false),
                    NoLongerCurrentAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Insights", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Insights_OrganizationId_Detector_Fingerprint",
                table: "Insights",
                columns: new[] { "OrganizationId", "Detector", "Fingerprint" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Insights_OrganizationId_IsCurrent_Id",
                table: "Insights",
                columns: new[] { "OrganizationId", "IsCurrent", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Insights");
        }
    }
}
