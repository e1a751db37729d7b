using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Intelagent.Server.Platform.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SingleSignOn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "SamlAssertionUses",
                columns: table => new
                {
                    AssertionId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    ConnectionId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SamlAssertionUses", x => x.AssertionId);
                });

            migrationBuilder.CreateTable(
                name: "SsoConnections",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Protocol = table.Column<string>(type: "TEXT", maxLength: 10, nullable: false),
                    Enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    SsoOnly = table.Column<bool>(type: "INTEGER", nullable: false),
                    DefaultRole = table.Column<string>(type: "TEXT", maxLength: 20, nullable: false),
                    OidcAuthority = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    OidcClientId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    OidcClientSecretProtected = table.Column<string>(type: "TEXT", maxLength: 2000, nullable: true),
                    SamlIdpEntityId = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    SamlIdpSsoUrl = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    SamlIdpCertificate = table.Column<string>(type: "TEXT", maxLength: 10000, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Version = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SsoConnections", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SsoDomains",
                columns: table => new
                {
                    Id = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    OrganizationId = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Domain = table.Column<string>(type: "TEXT", maxLength: 253, nullable: false),
                    VerificationToken = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    VerifiedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SsoDomains", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_SamlAssertionUses_ExpiresAt",
                table: "SamlAssertionUses",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_SsoConnections_OrganizationId",
                table: "SsoConnections",
                column: "OrganizationId",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_SsoDomains_Domain_Verified",
                table: "SsoDomains",
                column: "Domain",
                unique: true,
                filter: "\"VerifiedAt\" IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "IX_SsoDomains_OrganizationId_Domain",
                table: "SsoDomains",
                columns: new[] { "OrganizationId", "Domain" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "SamlAssertionUses");

            migrationBuilder.DropTable(
                name: "SsoConnections");

            migrationBuilder.DropTable(
                name: "SsoDomains");
        }
    }
}
