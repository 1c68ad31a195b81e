namespace AudioStream.MediaTests;

/// <summary>An AppHost whose users may keep 1 byte of recordings: every recording passes the quota at once.</summary>
public sealed class RecordingQuotaFixture : AppHostFixture
{
    protected override IEnumerable<string> ExtraArguments => ["--Recordings:QuotaBytesPerUser=1"];
}

/// <summary>Runs alone, after the shared AppHost's tests: two AppHosts at once would crowd a small machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RecordingQuotaCollection : ICollectionFixture<RecordingQuotaFixture>
{
    public const string Name = "RecordingQuota";
}
