namespace AudioStream.ServiceDefaults.Rules;

/// <summary>How long a stream's or recording's title may be: a stream's title becomes its recording's.</summary>
public static class TitleRule
{
    public const int MaxLength = 200;

    /// <summary>A title taken over from elsewhere, trimmed and cut to fit; <c>null</c> when it is blank.</summary>
    public static string? Clip(string? title)
    {
        var trimmed = title?.Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed[..Math.Min(MaxLength, trimmed.Length)];
    }
}
