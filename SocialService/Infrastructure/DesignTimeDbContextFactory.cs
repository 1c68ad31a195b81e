using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AudioStream.SocialService.Infrastructure;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database or AppHost.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<SocialDbContext>
{
    public SocialDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SocialDbContext>().UseNpgsql("Host=localhost;Database=socialdb").Options);
}
