using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AudioStream.MediaService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class StreamKeys : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<Guid>(
                name: "StreamKeyId",
                table: "streams",
                type: "uuid",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "stream_keys",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    OwnerId = table.Column<Guid>(type: "uuid", nullable: false),
                    OwnerName = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SecretHash = table.Column<byte[]>(type: "bytea", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_stream_keys", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_stream_keys_OwnerId",
                table: "stream_keys",
                column: "OwnerId");

            migrationBuilder.CreateIndex(
                name: "IX_stream_keys_SecretHash",
                table: "stream_keys",
                column: "SecretHash",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "stream_keys");

            migrationBuilder.DropColumn(
                name: "StreamKeyId",
                table: "streams");
        }
    }
}
