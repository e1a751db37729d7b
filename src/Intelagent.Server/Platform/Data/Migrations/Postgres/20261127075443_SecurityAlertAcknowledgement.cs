using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intelagent.Server.Platform.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SecurityAlertAcknowledgement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "AcknowledgedAt",
                table: "SecurityAlerts",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgedByUserId",
                table: "SecurityAlerts",
                type: "character varying(40)",
                maxLength: 40,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgementNote",
                table: "SecurityAlerts",
                type: "character varying(1000)",
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
