using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace OtpAuth.Api.Users.Migrations
{
    /// <inheritdoc />
    public partial class PendingRegistrations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Unverified users were how a registration waited for its code before pending registrations existed; they
            // are not accounts, and their codes died with the old key format, so they register again.
            migrationBuilder.Sql("DELETE FROM users WHERE verified_at IS NULL;");

            migrationBuilder.CreateTable(
                name: "pending_registrations",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(254)", maxLength: 254, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    failed_attempts = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_pending_registrations", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_pending_registrations_email",
                table: "pending_registrations",
                column: "email");

            migrationBuilder.CreateIndex(
                name: "ix_pending_registrations_expires_at",
                table: "pending_registrations",
                column: "expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "pending_registrations");
        }
    }
}
