namespace AudioStream.MediaTests;

/// <summary>An AppHost with two RecordingService instances sharing the storage root (and the one media node).</summary>
public sealed class RecorderFailoverFixture : AppHostFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--Recordings:Replicas=2"];

    /// <summary>
    /// Waits until the media node and both recorders are running and healthy: a test that killed one leaves the AppHost
    /// restarting it, and the next test starts from a whole system.
    /// </summary>
    public async Task WaitForAllHealthyAsync()
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await App.ResourceNotifications.WaitForResourceHealthyAsync("media", patience.Token);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("recordings", patience.Token);
    }
}

/// <summary>Runs alone: its tests kill services, and two AppHosts at once would crowd a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RecorderFailoverCollection : ICollectionFixture<RecorderFailoverFixture>
{
    public const string Name = "RecorderFailover";
}
