using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApiTokens.Sample.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class TokenLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "expires_at",
                table: "api_tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_used_at",
                table: "api_tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "previous_secret_expires_at",
                table: "api_tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "previous_secret_hash",
                table: "api_tokens",
                type: "bytea",
                maxLength: 32,
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "rotated_at",
                table: "api_tokens",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "last_used_at",
                table: "api_token_apps",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "ix_api_tokens_previous_secret_hash",
                table: "api_tokens",
                column: "previous_secret_hash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_api_tokens_previous_secret_hash",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "expires_at",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "last_used_at",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "previous_secret_expires_at",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "previous_secret_hash",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "rotated_at",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "last_used_at",
                table: "api_token_apps");
        }
    }
}
