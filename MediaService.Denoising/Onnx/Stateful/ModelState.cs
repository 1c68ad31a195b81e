namespace AudioStream.MediaService.Denoising.Onnx.Stateful;

/// <summary>
/// What the network of one stream carries from call to call: every GRU's hidden state and the last frames of each
/// input a causal convolution looks back on. Zeros at the start of a stream, as the exported graphs assume.
/// </summary>
public sealed class ModelState
{
    internal ModelState(int gruFloats, IReadOnlyList<int> historyFloats)
    {
        Gru = new float[gruFloats];
        History = [.. historyFloats.Select(n => new float[n])];
    }

    /// <summary>Hidden states of every GRU of the three graphs, one after another.</summary>
    internal float[] Gru { get; }

    /// <summary>Per history input: its last frames, channel-major ([channel][frame][feature]).</summary>
    internal float[][] History { get; }

    public int Floats => Gru.Length + History.Sum(h => h.Length);

    public void Reset()
    {
        Array.Clear(Gru);
        foreach (var history in History)
        {
            Array.Clear(history);
        }
    }
}
