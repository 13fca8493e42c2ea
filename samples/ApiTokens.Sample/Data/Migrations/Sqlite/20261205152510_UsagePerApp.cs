using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApiTokens.Sample.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class UsagePerApp : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_token_usage",
                columns: table => new
                {
                    token_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    app_name = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    allowed = table.Column<long>(type: "INTEGER", nullable: false),
                    pending = table.Column<long>(type: "INTEGER", nullable: false),
                    denied = table.Column<long>(type: "INTEGER", nullable: false),
                    limited = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_token_usage", x => new { x.token_id, x.app_name, x.day });
                    table.ForeignKey(
                        name: "FK_api_token_usage_api_tokens_token_id",
                        column: x => x.token_id,
                        principalTable: "api_tokens",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_token_usage_day",
                table: "api_token_usage",
                column: "day");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_token_usage");
        }
    }
}
