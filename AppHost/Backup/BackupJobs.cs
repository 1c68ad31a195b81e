using Microsoft.Extensions.Logging;

namespace AudioStream.AppHost.Backup;

/// <summary>Backups taken inside the running AppHost (dashboard command, schedule), one at a time.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
internal sealed class BackupJobs(BackupSettings settings, ParameterResource password) : IDisposable
{
    private readonly SemaphoreSlim _one = new(1, 1);

    public BackupSettings Settings { get; } = settings;

    public async Task<string> RunAsync(ILogger logger, CancellationToken cancellationToken)
    {
        await _one.WaitAsync(cancellationToken);
        try
        {
            var secret = await password.GetValueAsync(cancellationToken) ?? throw new InvalidOperationException("No PostgreSQL password.");
            return await new BackupCreator(Settings, logger).CreateAsync(secret, null, cancellationToken);
        }
        finally
        {
            _one.Release();
        }
    }

    public void Dispose() => _one.Dispose();
}
