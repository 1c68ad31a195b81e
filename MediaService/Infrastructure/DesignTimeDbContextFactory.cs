using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AudioStream.MediaService.Infrastructure;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database or AppHost.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<MediaDbContext>
{
    public MediaDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<MediaDbContext>().UseNpgsql("Host=localhost;Database=mediadb").Options);
}
