using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AudioStream.MediaService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class StreamNodes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "NodeId",
                table: "streams",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "NodeId",
                table: "streams");
        }
    }
}
