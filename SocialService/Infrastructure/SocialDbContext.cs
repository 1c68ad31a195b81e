using AudioStream.SocialService.Model;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.SocialService.Infrastructure;

public sealed class SocialDbContext(DbContextOptions<SocialDbContext> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();

    public DbSet<FriendRequest> FriendRequests => Set<FriendRequest>();

    public DbSet<Friendship> Friendships => Set<Friendship>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Member>(member =>
        {
            member.ToTable("members");
            member.HasKey(m => m.Id);
            member.Property(m => m.UserName).HasMaxLength(32);
            member.Property(m => m.NormalizedUserName).HasMaxLength(32);
            member.HasIndex(m => m.NormalizedUserName).IsUnique();
        });
        modelBuilder.Entity<FriendRequest>(request =>
        {
            request.ToTable("friend_requests");
            request.HasKey(r => r.Id);
            request.HasOne(r => r.Sender).WithMany().HasForeignKey(r => r.SenderId).OnDelete(DeleteBehavior.Cascade);
            request.HasOne(r => r.Recipient).WithMany().HasForeignKey(r => r.RecipientId).OnDelete(DeleteBehavior.Cascade);
            // At most one pending request per ordered pair; the reverse direction is handled as "accept theirs".
            request.HasIndex(r => new { r.SenderId, r.RecipientId }).IsUnique();
            request.HasIndex(r => r.RecipientId);
        });
        modelBuilder.Entity<Friendship>(friendship =>
        {
            friendship.ToTable("friendships");
            friendship.HasKey(f => new { f.UserId, f.FriendId });
            friendship.HasOne<Member>().WithMany().HasForeignKey(f => f.UserId).OnDelete(DeleteBehavior.Cascade);
            friendship.HasOne(f => f.Friend).WithMany().HasForeignKey(f => f.FriendId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
