using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpAuth.Api.Users.Migrations
{
    /// <inheritdoc />
    public partial class EmailChangesAndSignInMethods : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "auth_methods",
                table: "sessions",
                type: "character varying(64)",
                maxLength: 64,
                nullable: false,
                defaultValue: "pwd"); // every session before this one began with a password

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "authenticated_at",
                table: "sessions",
                type: "timestamp with time zone",
                nullable: false,
                defaultValueSql: "now()");

            // A session before this one was last authenticated when it began.
            migrationBuilder.Sql("UPDATE sessions SET authenticated_at = created_at;");

            migrationBuilder.CreateTable(
                name: "email_reverts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    new_email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_reverts", x => x.id);
                    table.ForeignKey(
                        name: "fk_email_reverts_users",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_email_reverts_email",
                table: "email_reverts",
                column: "email");

            migrationBuilder.CreateIndex(
                name: "ix_email_reverts_user_id",
                table: "email_reverts",
                column: "user_id");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_reverts");

            migrationBuilder.DropColumn(
                name: "auth_methods",
                table: "sessions");

            migrationBuilder.DropColumn(
                name: "authenticated_at",
                table: "sessions");
        }
    }
}
