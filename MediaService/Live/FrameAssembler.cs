namespace AudioStream.MediaService.Live;

/// <summary>
/// Cuts audio that arrives in pieces of any size into 960-sample frames on one timeline. A frame carries the arrival
/// time of its first sample's piece and is flagged as silence fill when any of its samples was.
/// Single-threaded: one assembler per track, fed by one pump.
/// </summary>
public sealed class FrameAssembler(Action<MediaFrame> emit)
{
    private float[] _pending = new float[MediaFrame.Samples20Ms];
    private int _filled;
    private long _frameStart;
    private long _frameArrival;
    private bool _frameFill;

    /// <summary>Samples appended so far (the next sample's offset).</summary>
    public long Position { get; private set; }

    public void Append(ReadOnlySpan<float> samples, long arrivalTimestamp, bool isSilenceFill)
    {
        while (!samples.IsEmpty)
        {
            if (_filled == 0)
            {
                _frameStart = Position;
                _frameArrival = arrivalTimestamp;
                _frameFill = false;
            }

            int take = Math.Min(samples.Length, _pending.Length - _filled);
            samples[..take].CopyTo(_pending.AsSpan(_filled));
            _filled += take;
            _frameFill |= isSilenceFill;
            Position += take;
            samples = samples[take..];
            if (_filled == _pending.Length)
            {
                Emit(_pending);
                _pending = new float[MediaFrame.Samples20Ms];
            }
        }
    }

    /// <summary>Emits the partial frame left at the end of a stream, if any.</summary>
    public void Flush()
    {
        if (_filled > 0)
        {
            Emit(_pending.AsSpan(0, _filled).ToArray());
        }
    }

    private void Emit(float[] samples)
    {
        _filled = 0;
        emit(new MediaFrame(samples, _frameStart, _frameArrival, _frameFill, _frameArrival));
    }
}
