namespace AudioStream.MediaService.Denoising.Onnx.Stateful;

/// <summary>
/// How one stream's frames of a tensor lie in memory — batch first, then <see cref="Channels"/> (the axes before
/// time), the frames, then <see cref="Features"/> (the axes after time) — and how many earlier frames
/// (<see cref="History"/>) the graph expects in front of the new ones.
/// </summary>
internal sealed class TimeSeriesLayout
{
    private readonly int[] _dimensions;
    private readonly int _timeAxis;

    /// <param name="dimensions">The tensor's shape with the batch axis first and −1 on the time axis.</param>
    public TimeSeriesLayout(string name, IReadOnlyList<int> dimensions, int history = 0)
    {
        _timeAxis = dimensions.ToList().IndexOf(-1);
        if (_timeAxis < 1 || dimensions.Count(d => d == -1) != 1 || history < 0)
        {
            throw new InvalidDataException($"'{name}' has no single time axis after the batch: [{string.Join(",", dimensions)}].");
        }

        Name = name;
        _dimensions = [.. dimensions];
        History = history;
        Channels = _dimensions.Take(_timeAxis).Skip(1).Aggregate(1, (a, d) => a * d);
        Features = _dimensions.Skip(_timeAxis + 1).Aggregate(1, (a, d) => a * d);
    }

    public string Name { get; }

    public int History { get; }

    public int Channels { get; }

    public int Features { get; }

    public int PerFrame => Channels * Features;

    public int HistoryFloats => Channels * History * Features;

    /// <summary>Floats one stream occupies in a call of <paramref name="frames"/> new frames (history included).</summary>
    public int StreamFloats(int frames) => Channels * (History + frames) * Features;

    /// <summary>The tensor shape for a call of <paramref name="batch"/> streams and <paramref name="frames"/> new frames.</summary>
    public long[] Shape(int batch, int frames, bool withHistory)
    {
        var shape = _dimensions.Select(d => (long)d).ToArray();
        shape[0] = batch;
        shape[_timeAxis] = (withHistory ? History : 0) + frames;
        return shape;
    }

    /// <summary>Copies the stream's history into the first <see cref="History"/> frames of each channel of <paramref name="joined"/>.</summary>
    public void PutHistory(ReadOnlySpan<float> history, Span<float> joined, int frames)
    {
        var historyRun = History * Features;
        var joinedRun = (History + frames) * Features;
        for (var c = 0; c < Channels; c++)
        {
            history.Slice(c * historyRun, historyRun).CopyTo(joined.Slice(c * joinedRun, historyRun));
        }
    }

    /// <summary>Copies <paramref name="fresh"/> ([C][frames][F]) after the history in each channel of <paramref name="joined"/>.</summary>
    public void PutFresh(ReadOnlySpan<float> fresh, Span<float> joined, int frames)
    {
        var freshRun = frames * Features;
        var joinedRun = (History + frames) * Features;
        for (var c = 0; c < Channels; c++)
        {
            fresh.Slice(c * freshRun, freshRun).CopyTo(joined.Slice(c * joinedRun + History * Features, freshRun));
        }
    }

    /// <summary>Keeps the last <see cref="History"/> frames of each channel of <paramref name="joined"/> as the new history.</summary>
    public void TakeHistory(ReadOnlySpan<float> joined, Span<float> history, int frames)
    {
        var historyRun = History * Features;
        var joinedRun = (History + frames) * Features;
        for (var c = 0; c < Channels; c++)
        {
            joined.Slice(c * joinedRun + frames * Features, historyRun).CopyTo(history.Slice(c * historyRun, historyRun));
        }
    }
}
