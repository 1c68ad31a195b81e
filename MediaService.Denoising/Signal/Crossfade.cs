namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>Linear crossfade used to join consecutive denoised chunks.</summary>
public static class Crossfade
{
    /// <summary>
    /// Writes <c>outgoing·(1 − w) + incoming·w</c> with w rising linearly from just above 0 to just below 1, so
    /// neither end repeats a sample of the other signal exactly. Identical inputs give the same signal back.
    /// </summary>
    public static void Linear(ReadOnlySpan<float> outgoing, ReadOnlySpan<float> incoming, Span<float> destination)
    {
        var n = destination.Length;
        if (outgoing.Length < n || incoming.Length < n)
        {
            throw new ArgumentException("Both signals must cover the crossfade.");
        }

        for (var i = 0; i < n; i++)
        {
            var w = (i + 1f) / (n + 1f);
            destination[i] = outgoing[i] + (incoming[i] - outgoing[i]) * w;
        }
    }
}
