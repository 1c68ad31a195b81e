using AudioStream.Testing;
namespace AudioStream.BrowserTests;

/// <summary>
/// One headless Debian Chromium for the whole suite; each test opens its own browser contexts (one per person),
/// so cookies and storage never leak between users or tests.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = HeadlessChromium.ExecutablePath;

    /// <summary>Long enough for a loaded two-core machine, short enough that a broken page fails quickly.</summary>
    public const float ExpectTimeoutMs = 10_000;

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Assertions.SetDefaultExpectTimeout(ExpectTimeoutMs);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(HeadlessChromium.Options());
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
    }
}

/// <summary>The real AppHost and one Chromium, shared by every browser test (xunit runs a collection's tests one at a time).</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<AppHostFixture>, ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
