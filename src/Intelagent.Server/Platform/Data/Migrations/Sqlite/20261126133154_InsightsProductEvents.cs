using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intelagent.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InsightsProductEvents : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ProductEventRollups",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Day = table.Column<long>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    Dimension = table.Column<string>(type: "TEXT", maxLength: 140, nullable: false),
                    Count = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProductEventRollups", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ProductEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    EventId = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 80, nullable: false),
                    OccurredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Day = table.Column<long>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    SubjectKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    Variant = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    SentAt = table.Column<long>(type: "INTEGER", nullable: true),
                    PropertiesJson = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ProductEvents", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ProductEventRollups_Day_Type",
                table: "ProductEventRollups",
                columns: new[] { "Day", "Type" });

            migrationBuilder.CreateIndex(
                name: "IX_ProductEventRollups_OrganizationId_Type_Day_Dimension",
                table: "ProductEventRollups",
                columns: new[] { "OrganizationId", "Type", "Day", "Dimension" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ProductEvents_OrganizationId_Day_Type",
                table: "ProductEvents",
                columns: new[] { "OrganizationId", "Day", "Type" });

            migrationBuilder.CreateIndex(
                name: "IX_ProductEvents_OrganizationId_EventId",
                table: "ProductEvents",
                columns: new[] { "OrganizationId", "EventId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ProductEventRollups");

            migrationBuilder.DropTable(
                name: "ProductEvents");
        }
    }
}
