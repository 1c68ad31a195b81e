using Microsoft.Playwright;

namespace AudioStream.Testing;

/// <summary>Debian's Chromium as every browser test launches it (flags from ../shared/design/NOTES-WEBRTC.md).</summary>
internal static class HeadlessChromium
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <param name="fakeMicrophoneWav">When given, getUserMedia gets a fake microphone playing this file.</param>
    public static BrowserTypeLaunchOptions Options(string? fakeMicrophoneWav = null) => new()
    {
        ExecutablePath = ExecutablePath,
        Headless = true,
        Args =
        [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-loopback-in-peer-connection",
            .. fakeMicrophoneWav is null
                ? Array.Empty<string>()
                :
                [
                    "--use-fake-ui-for-media-stream",
                    "--use-fake-device-for-media-stream",
                    $"--use-file-for-fake-audio-capture={fakeMicrophoneWav}",
                    "--autoplay-policy=no-user-gesture-required",
                ],
        ],
    };
}

/// <summary>Playwright with that Chromium launched, disposed together: what a test class opens once and closes at the end.</summary>
internal sealed class LaunchedChromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private LaunchedChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <returns>The browser, or null where Chromium is not installed (the tests skip, saying so).</returns>
    public static async Task<LaunchedChromium?> LaunchAsync(BrowserTypeLaunchOptions options)
    {
        if (!File.Exists(HeadlessChromium.ExecutablePath))
        {
            return null;
        }
        var playwright = await Playwright.CreateAsync();
        try
        {
            return new LaunchedChromium(playwright, await playwright.Chromium.LaunchAsync(options));
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }
}
