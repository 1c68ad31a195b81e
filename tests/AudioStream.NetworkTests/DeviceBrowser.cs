using AudioStream.Testing;

namespace AudioStream.NetworkTests;

/// <summary>
/// Debian's Chromium as a person on a device would run it: inside the device's namespace (a wrapper script doing
/// <c>ip netns exec … /usr/bin/chromium</c> is Playwright's executable), with its own HOME whose NSS database trusts
/// the AudioStream CA, the way a person installs /ca.crt. No certificate-error flag: a bad certificate fails.
/// </summary>
internal sealed class DeviceBrowser : IAsyncDisposable
{
    private readonly string _home;

    private DeviceBrowser(string home, IBrowser browser)
    {
        _home = home;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    /// <param name="device">The device to run in; null for this host.</param>
    public static async Task<DeviceBrowser> LaunchAsync(
        IPlaywright playwright, Device? device, string authorityCertificate, string fakeMicrophoneWav, string folder)
    {
        var name = device?.Name ?? "host";
        var home = Directory.CreateDirectory(Path.Combine(folder, $"home-{name}")).FullName;
        var nssDatabase = $"sql:{Directory.CreateDirectory(Path.Combine(home, ".pki", "nssdb")).FullName}";
        await Shell.RunAsync("certutil", "-d", nssDatabase, "-N", "--empty-password");
        await Shell.RunAsync("certutil", "-d", nssDatabase, "-A", "-t", "C,,", "-n", "AudioStream local CA", "-i", authorityCertificate);

        var wrapper = Path.Combine(folder, $"chromium-{name}.sh");
        var exec = device is null ? "exec" : $"exec ip netns exec {device.Namespace}";
        await File.WriteAllTextAsync(wrapper, $"#!/bin/sh\nexport HOME='{home}'\n{exec} {HeadlessChromium.ExecutablePath} \"$@\"\n");
        File.SetUnixFileMode(wrapper, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var options = HeadlessChromium.Options(fakeMicrophoneWav);
        options.ExecutablePath = wrapper;
        return new DeviceBrowser(home, await playwright.Chromium.LaunchAsync(options));
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}
