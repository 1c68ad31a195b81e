using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AudioStream.RecordingService.Infrastructure.Migrations
{
    /// <inheritdoc />
    public partial class RecordingLifecycle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<Guid>(
                name: "StreamId",
                table: "recordings",
                type: "uuid",
                nullable: true,
                oldClrType: typeof(Guid),
                oldType: "uuid");

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "EndedAt",
                table: "recordings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<double>(
                name: "SilenceSeconds",
                table: "recordings",
                type: "double precision",
                nullable: false,
                defaultValue: 0.0);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "EndedAt",
                table: "recordings");

            migrationBuilder.DropColumn(
                name: "SilenceSeconds",
                table: "recordings");

            migrationBuilder.AlterColumn<Guid>(
                name: "StreamId",
                table: "recordings",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"),
                oldClrType: typeof(Guid),
                oldType: "uuid",
                oldNullable: true);
        }
    }
}
