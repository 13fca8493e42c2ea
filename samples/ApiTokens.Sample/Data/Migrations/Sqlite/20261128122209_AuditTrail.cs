using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApiTokens.Sample.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class AuditTrail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_token_audit",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    token_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    account_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    actor = table.Column<string>(type: "TEXT", maxLength: 264, nullable: false),
                    action = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    changes = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_token_audit", x => x.sequence);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_token_audit_account",
                table: "api_token_audit",
                columns: new[] { "account_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_api_token_audit_id",
                table: "api_token_audit",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_token_audit_token",
                table: "api_token_audit",
                columns: new[] { "token_id", "sequence" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_token_audit");
        }
    }
}
