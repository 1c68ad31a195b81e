namespace AudioStream.MediaService.Denoising.Onnx;

/// <summary>Where an export folder was found, or every place that was looked at.</summary>
public sealed record ModelLocation(string? Directory, IReadOnlyList<string> Searched)
{
    public bool Found => Directory is not null;
}

/// <summary>
/// Finds a DeepFilterNet export folder: an explicit path wins; otherwise <c>models/&lt;name&gt;</c> then
/// <c>../shared/models/&lt;name&gt;</c>, relative to the current directory and to every ancestor of the
/// application's base directory (so it works from <c>dotnet run</c>, <c>dotnet test</c> and a published app).
/// </summary>
public static class ModelLocator
{
    public static readonly IReadOnlyList<string> RequiredFiles =
        ["enc.onnx", "erb_dec.onnx", "df_dec.onnx", DeepFilterNetConfig.FileName];

    public static ModelLocation Locate(string modelName, string? explicitPath) =>
        Locate(modelName, explicitPath, Environment.CurrentDirectory, AppContext.BaseDirectory);

    public static ModelLocation Locate(string modelName, string? explicitPath, string currentDirectory, string baseDirectory)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            var full = Path.GetFullPath(explicitPath, currentDirectory);
            return new ModelLocation(IsComplete(full) ? full : null, [full]);
        }

        var searched = new List<string>();
        foreach (var root in Roots(currentDirectory, baseDirectory))
        {
            foreach (var candidate in (ReadOnlySpan<string>)[
                Path.Combine(root, "models", modelName),
                Path.Combine(root, "..", "shared", "models", modelName)])
            {
                var full = Path.GetFullPath(candidate);
                if (searched.Contains(full, StringComparer.Ordinal))
                {
                    continue;
                }

                searched.Add(full);
                if (IsComplete(full))
                {
                    return new ModelLocation(full, searched);
                }
            }
        }

        return new ModelLocation(null, searched);
    }

    /// <summary>Required files missing from <paramref name="directory"/> (all of them when it does not exist).</summary>
    public static IReadOnlyList<string> MissingFiles(string directory) =>
        [.. RequiredFiles.Where(file => !File.Exists(Path.Combine(directory, file)))];

    private static bool IsComplete(string directory) => MissingFiles(directory).Count == 0;

    private static IEnumerable<string> Roots(string currentDirectory, string baseDirectory)
    {
        yield return Path.GetFullPath(currentDirectory);
        for (var dir = new DirectoryInfo(Path.GetFullPath(baseDirectory)); dir is not null; dir = dir.Parent)
        {
            yield return dir.FullName;
        }
    }
}
