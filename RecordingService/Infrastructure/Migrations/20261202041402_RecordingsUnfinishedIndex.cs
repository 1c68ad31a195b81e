using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AudioStream.RecordingService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class RecordingsUnfinishedIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_recordings_unfinished",
                table: "recordings",
                column: "Status",
                filter: "\"Status\" = 'Recording'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_recordings_unfinished",
                table: "recordings");
        }
    }
}
