using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AudioStream.RecordingService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class RecordingStoppedReason : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "StoppedReason",
                table: "recordings",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "StoppedReason",
                table: "recordings");
        }
    }
}
