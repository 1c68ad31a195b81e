namespace AudioStream.Benchmarks.MediaLoad;

internal static class SharedAudio
{
    /// <summary>Looks for shared/audio/&lt;relative&gt; beside the working directory or any of its parents.</summary>
    public static string? Find(string relative)
    {
        for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "audio", relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
