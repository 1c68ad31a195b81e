using AudioStream.ServiceDefaults.Rules;
using AudioStream.SocialService.Model;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.SocialService.Infrastructure;

public sealed class SocialDbContext(DbContextOptions<SocialDbContext> options) : DbContext(options)
{
    private const string PairLow = "PairLow";
    private const string PairHigh = "PairHigh";

    public DbSet<Member> Members => Set<Member>();

    public DbSet<FriendRequest> FriendRequests => Set<FriendRequest>();

    public DbSet<Friendship> Friendships => Set<Friendship>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Member>(member =>
        {
            member.ToTable("members");
            member.HasKey(m => m.Id);
            member.Property(m => m.UserName).HasMaxLength(UserNameRule.MaxLength);
            member.Property(m => m.NormalizedUserName).HasMaxLength(UserNameRule.MaxLength);
            member.HasIndex(m => m.NormalizedUserName).IsUnique();
        });
        modelBuilder.Entity<FriendRequest>(request =>
        {
            request.ToTable("friend_requests");
            request.HasKey(r => r.Id);
            request.HasOne(r => r.Sender).WithMany().HasForeignKey(r => r.SenderId).OnDelete(DeleteBehavior.Cascade);
            request.HasOne(r => r.Recipient).WithMany().HasForeignKey(r => r.RecipientId).OnDelete(DeleteBehavior.Cascade);
            // At most one pending request per pair of users, whichever way round: crossing requests meet here, and the
            // later one accepts the earlier (FriendGraph.RequestAsync). PostgreSQL keeps the pair's ends in order.
            request.Property<Guid>(PairLow).HasComputedColumnSql($"LEAST(\"{nameof(FriendRequest.SenderId)}\", \"{nameof(FriendRequest.RecipientId)}\")", stored: true);
            request.Property<Guid>(PairHigh).HasComputedColumnSql($"GREATEST(\"{nameof(FriendRequest.SenderId)}\", \"{nameof(FriendRequest.RecipientId)}\")", stored: true);
            request.HasIndex(PairLow, PairHigh).IsUnique();
            request.HasIndex(r => r.SenderId);
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
