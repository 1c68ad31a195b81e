namespace AudioStream.MediaTests;

/// <summary>An AppHost with two RecordingService instances sharing the storage root (and the one media node).</summary>
public sealed class RecorderFailoverFixture : AppHostFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--Recordings:Replicas=2"];
}

/// <summary>Runs alone: its tests kill services, and two AppHosts at once would crowd a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RecorderFailoverCollection : ICollectionFixture<RecorderFailoverFixture>
{
    public const string Name = "RecorderFailover";
}
