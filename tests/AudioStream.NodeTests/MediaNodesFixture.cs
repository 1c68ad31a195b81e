namespace AudioStream.NodeTests;

/// <summary>
/// The AppHost with two media nodes (<c>media</c>, <c>media-2</c>). A drained node keeps its live streams for
/// <see cref="DrainSeconds"/>, long enough for a test to show that new streams go elsewhere meanwhile.
/// </summary>
public sealed class MediaNodesFixture : AppHostFixture
{
    public const int DrainSeconds = 30;

    public static readonly string[] NodeIds = ["media", "media-2"];

    /// <summary>Two nodes load the denoiser at once on a shared machine.</summary>
    protected override TimeSpan StartTimeout => TimeSpan.FromMinutes(4);

    protected override IEnumerable<string> ExtraArguments => ["--Media:Nodes=2", $"--Media:DrainSeconds={DrainSeconds}"];
}
