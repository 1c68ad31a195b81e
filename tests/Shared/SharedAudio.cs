namespace AudioStream.Testing;

/// <summary>
/// The shared test audio (DNS-challenge clips), never committed: found by walking up from the binaries to a
/// shared/audio folder, or to ../shared/audio beside the repository.
/// </summary>
internal static class SharedAudio
{
    /// <summary>The shared/audio folder; null when there is none above the binaries.</summary>
    public static string? Directory { get; } = FindDirectory();

    /// <summary>A file under shared/audio (for example dns-01/noisy.wav); null when it is not there.</summary>
    public static string? Find(string relative) =>
        Directory is not null && File.Exists(Path.Combine(Directory, relative)) ? Path.Combine(Directory, relative) : null;

    private static string? FindDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "shared", "audio"), Path.Combine(dir.FullName, "..", "shared", "audio") })
            {
                if (System.IO.Directory.Exists(candidate))
                {
                    return Path.GetFullPath(candidate);
                }
            }
        }

        return null;
    }
}
