using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace AudioStream.RecordingService.Infrastructure;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without a running database or AppHost.</summary>
internal sealed class DesignTimeDbContextFactory : IDesignTimeDbContextFactory<RecordingDbContext>
{
    public RecordingDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<RecordingDbContext>().UseNpgsql("Host=localhost;Database=recordingdb").Options);
}
