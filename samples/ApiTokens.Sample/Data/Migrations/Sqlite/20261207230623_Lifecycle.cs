using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApiTokens.Sample.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Lifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "expiry_warned_for",
                table: "api_tokens",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "expiry_warned_threshold",
                table: "api_tokens",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "unused_warned_since",
                table: "api_tokens",
                type: "TEXT",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_expires_at",
                table: "api_tokens",
                column: "expires_at");

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_last_used_at",
                table: "api_tokens",
                column: "last_used_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_api_tokens_expires_at",
                table: "api_tokens");

            migrationBuilder.DropIndex(
                name: "ix_api_tokens_last_used_at",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "expiry_warned_for",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "expiry_warned_threshold",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "unused_warned_since",
                table: "api_tokens");
        }
    }
}
