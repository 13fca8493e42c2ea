using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApiTokens.Sample.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Webhooks : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "api_token_webhooks",
                columns: table => new
                {
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    account_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    url = table.Column<string>(type: "TEXT", maxLength: 2048, nullable: false),
                    events = table.Column<string>(type: "TEXT", maxLength: 1024, nullable: true),
                    description = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    enabled = table.Column<bool>(type: "INTEGER", nullable: false),
                    disabled_reason = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    protected_secret = table.Column<string>(type: "TEXT", nullable: false),
                    protected_previous_secret = table.Column<string>(type: "TEXT", nullable: true),
                    previous_secret_expires_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    failing_since = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    created_by = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_token_webhooks", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "api_token_webhook_deliveries",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    webhook_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    account_id = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    event_id = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "TEXT", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: false),
                    attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    status = table.Column<int>(type: "INTEGER", nullable: false),
                    last_status_code = table.Column<int>(type: "INTEGER", nullable: true),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true),
                    last_attempt_at = table.Column<DateTimeOffset>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_api_token_webhook_deliveries", x => x.sequence);
                    table.ForeignKey(
                        name: "FK_api_token_webhook_deliveries_api_token_webhooks_webhook_id",
                        column: x => x.webhook_id,
                        principalTable: "api_token_webhooks",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_api_token_webhook_deliveries_due",
                table: "api_token_webhook_deliveries",
                columns: new[] { "status", "next_attempt_at" });

            migrationBuilder.CreateIndex(
                name: "ix_api_token_webhook_deliveries_id",
                table: "api_token_webhook_deliveries",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_token_webhook_deliveries_webhook",
                table: "api_token_webhook_deliveries",
                columns: new[] { "webhook_id", "sequence" });

            migrationBuilder.CreateIndex(
                name: "ix_api_token_webhooks_account",
                table: "api_token_webhooks",
                column: "account_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "api_token_webhook_deliveries");

            migrationBuilder.DropTable(
                name: "api_token_webhooks");
        }
    }
}
