using AudioStream.RecordingService.Model;
using AudioStream.ServiceDefaults.Rules;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.RecordingService.Infrastructure;

public sealed class RecordingDbContext(DbContextOptions<RecordingDbContext> options) : DbContext(options)
{
    public DbSet<Recording> Recordings => Set<Recording>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Recording>(recording =>
        {
            recording.ToTable("recordings");
            recording.HasKey(r => r.Id);
            recording.Property(r => r.OwnerName).HasMaxLength(UserNameRule.MaxLength);
            recording.Property(r => r.Title).HasMaxLength(TitleRule.MaxLength);
            recording.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            recording.Property(r => r.Error).HasMaxLength(500);
            recording.Property(r => r.StoppedReason).HasMaxLength(16);
            recording.HasIndex(r => new { r.OwnerId, r.CreatedAt });
            recording.HasIndex(r => r.StreamId).IsUnique();
            // Every recorder looks for unfinished recordings every 2 s (RecordingClaims): a partial index keeps that
            // look at the few being written, not a scan of every recording ever made.
            recording.HasIndex(r => r.Status).HasFilter("\"Status\" = 'Recording'").HasDatabaseName("IX_recordings_unfinished");
        });
    }
}
