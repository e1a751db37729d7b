using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intelagent.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SecurityAlertAcknowledgement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AcknowledgedAt",
                table: "SecurityAlerts",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgedByUserId",
                table: "SecurityAlerts",
                type: "TEXT",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgementNote",
                table: "SecurityAlerts",
                type: "TEXT",
                maxLength: 1000,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "AcknowledgedAt",
                table: "SecurityAlerts");

            migrationBuilder.DropColumn(
                name: "AcknowledgedByUserId",
                table: "SecurityAlerts");

            migrationBuilder.DropColumn(
                name: "AcknowledgementNote",
                table: "SecurityAlerts");
        }
    }
}
