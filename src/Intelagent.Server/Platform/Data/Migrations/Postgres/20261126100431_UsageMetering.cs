using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace Intelagent.Server.Platform.Data.Migrations.Postgres
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
                    OrganizationId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    ApiCallsPerDay = table.Column<long>(type: "bigint", nullable: true),
                    StorageBytes = table.Column<long>(type: "bigint", nullable: true),
                    BandwidthBytesPerMonth = table.Column<long>(type: "bigint", nullable: true),
                    Seats = table.Column<int>(type: "integer", nullable: true),
                    Projects = table.Column<int>(type: "integer", nullable: true),
                    RatePerMinute = table.Column<int>(type: "integer", nullable: true),
                    Burst = table.Column<int>(type: "integer", nullable: true),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageLimitOverrides", x => x.OrganizationId);
                });

            migrationBuilder.CreateTable(
                name: "UsageRollups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    OrganizationId = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Metric = table.Column<string>(type: "character varying(40)", maxLength: 40, nullable: false),
                    Granularity = table.Column<string>(type: "character varying(10)", maxLength: 10, nullable: false),
                    PeriodStart = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    Value = table.Column<long>(type: "bigint", nullable: false)
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
