using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpAuth.Api.Users.Migrations
{
    /// <inheritdoc />
    public partial class RefreshAnswers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<byte[]>(
                name: "answer",
                table: "refresh_tokens",
                type: "bytea",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "answer",
                table: "refresh_tokens");
        }
    }
}
