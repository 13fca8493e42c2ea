using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApiTokens.Sample.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class NetworksAndRateLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "allowed_networks",
                table: "api_tokens",
                type: "character varying(1408)",
                maxLength: 1408,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "rate_limit",
                table: "api_tokens",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "rate_limit_window_seconds",
                table: "api_tokens",
                type: "integer",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "allowed_networks",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "rate_limit",
                table: "api_tokens");

            migrationBuilder.DropColumn(
                name: "rate_limit_window_seconds",
                table: "api_tokens");
        }
    }
}
