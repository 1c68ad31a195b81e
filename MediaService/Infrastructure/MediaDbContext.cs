using AudioStream.MediaService.Model;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.MediaService.Infrastructure;

public sealed class MediaDbContext(DbContextOptions<MediaDbContext> options) : DbContext(options)
{
    public DbSet<LiveSession> Streams => Set<LiveSession>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LiveSession>(stream =>
        {
            stream.ToTable("streams");
            stream.HasKey(s => s.Id);
            stream.Property(s => s.OwnerName).HasMaxLength(32);
            stream.Property(s => s.Title).HasMaxLength(200);
            stream.Property(s => s.EndReason).HasMaxLength(32);
            stream.Ignore(s => s.IsActive);
            // The database, not a race between two requests, guarantees one live stream per user.
            stream.HasIndex(s => s.OwnerId).IsUnique().HasFilter("\"EndedAt\" IS NULL");
        });
    }
}
