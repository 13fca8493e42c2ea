using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ApiTokens.Sample.Data.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class SelfRotate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "self_rotate",
                table: "api_tokens",
                type: "boolean",
                nullable: false,
                defaultValue: false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "self_rotate",
                table: "api_tokens");
        }
    }
}
