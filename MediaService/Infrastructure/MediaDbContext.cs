using AudioStream.MediaService.Model;
using AudioStream.ServiceDefaults.Rules;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.MediaService.Infrastructure;

public sealed class MediaDbContext(DbContextOptions<MediaDbContext> options) : DbContext(options)
{
    public DbSet<LiveSession> Streams => Set<LiveSession>();

    public DbSet<StreamKey> StreamKeys => Set<StreamKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<LiveSession>(stream =>
        {
            stream.ToTable("streams");
            stream.HasKey(s => s.Id);
            stream.Property(s => s.OwnerName).HasMaxLength(UserNameRule.MaxLength);
            stream.Property(s => s.Title).HasMaxLength(TitleRule.MaxLength);
            stream.Property(s => s.EndReason).HasMaxLength(32);
            stream.Property(s => s.NodeId).HasMaxLength(64);
            stream.Ignore(s => s.IsActive);
            // The database, not a race between two requests, guarantees one live stream per user.
            stream.HasIndex(s => s.OwnerId).IsUnique().HasFilter("\"EndedAt\" IS NULL");
        });

        modelBuilder.Entity<StreamKey>(key =>
        {
            key.ToTable("stream_keys");
            key.HasKey(k => k.Id);
            key.Property(k => k.OwnerName).HasMaxLength(UserNameRule.MaxLength);
            key.Property(k => k.Name).HasMaxLength(Apis.StreamKeysApi.MaxNameLength);
            key.Property(k => k.SecretHash).HasMaxLength(32);
            key.HasIndex(k => k.SecretHash).IsUnique();
            key.HasIndex(k => k.OwnerId);
        });
    }
}
