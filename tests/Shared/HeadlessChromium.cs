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
