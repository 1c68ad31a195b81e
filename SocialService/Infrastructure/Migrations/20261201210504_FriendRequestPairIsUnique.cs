using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AudioStream.SocialService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class FriendRequestPairIsUnique : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_friend_requests_SenderId_RecipientId",
                table: "friend_requests");

            migrationBuilder.AddColumn<Guid>(
                name: "PairHigh",
                table: "friend_requests",
                type: "uuid",
                nullable: false,
                computedColumnSql: "GREATEST(\"SenderId\", \"RecipientId\")",
                stored: true);

            migrationBuilder.AddColumn<Guid>(
                name: "PairLow",
                table: "friend_requests",
                type: "uuid",
                nullable: false,
                computedColumnSql: "LEAST(\"SenderId\", \"RecipientId\")",
                stored: true);

            // Crossing requests left by the old one-direction index: both asked, so both become friends.
            migrationBuilder.Sql("""
                INSERT INTO friendships ("UserId", "FriendId", "Since")
                SELECT a."SenderId", a."RecipientId", now()
                FROM friend_requests a JOIN friend_requests b ON a."SenderId" = b."RecipientId" AND a."RecipientId" = b."SenderId"
                ON CONFLICT DO NOTHING;
                DELETE FROM friend_requests a USING friend_requests b
                WHERE a."SenderId" = b."RecipientId" AND a."RecipientId" = b."SenderId";
                """);

            migrationBuilder.CreateIndex(
                name: "IX_friend_requests_PairLow_PairHigh",
                table: "friend_requests",
                columns: new[] { "PairLow", "PairHigh" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_friend_requests_SenderId",
                table: "friend_requests",
                column: "SenderId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_friend_requests_PairLow_PairHigh",
                table: "friend_requests");

            migrationBuilder.DropIndex(
                name: "IX_friend_requests_SenderId",
                table: "friend_requests");

            migrationBuilder.DropColumn(
                name: "PairHigh",
                table: "friend_requests");

            migrationBuilder.DropColumn(
                name: "PairLow",
                table: "friend_requests");

            migrationBuilder.CreateIndex(
                name: "IX_friend_requests_SenderId_RecipientId",
                table: "friend_requests",
                columns: new[] { "SenderId", "RecipientId" },
                unique: true);
        }
    }
}
