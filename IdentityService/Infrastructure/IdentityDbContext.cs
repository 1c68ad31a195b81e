using AudioStream.IdentityService.Model;
using AudioStream.ServiceDefaults.Rules;
using Microsoft.EntityFrameworkCore;

namespace AudioStream.IdentityService.Infrastructure;

public sealed class IdentityDbContext(DbContextOptions<IdentityDbContext> options) : DbContext(options)
{
    public DbSet<User> Users => Set<User>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<User>(user =>
        {
            user.ToTable("users");
            user.HasKey(u => u.Id);
            user.Property(u => u.UserName).HasMaxLength(UserNameRule.MaxLength);
            user.Property(u => u.NormalizedUserName).HasMaxLength(UserNameRule.MaxLength);
            user.HasIndex(u => u.NormalizedUserName).IsUnique();
            user.Property(u => u.Email).HasMaxLength(254);
            user.Property(u => u.PasswordHash).HasMaxLength(512);
        });
    }
}
