namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// Short-time Fourier transform matching libDF: Vorbis window, forward scaled by 2·hop/N², inverse unnormalised,
/// windowed again and overlap-added. Frame t covers samples [t·hop − (N − hop), t·hop + hop), so frame 0 already
/// holds the first hop of the signal and the output needs no delay compensation.
/// Spectra are frame-major: bin f of frame t at index t·Bins + f. One instance per thread.
/// </summary>
public sealed class Stft
{
    private readonly RealFft _fft;
    private readonly float[] _window;
    private readonly float[] _frame;
    private readonly float[] _scratch;
    private readonly float _forwardScale;

    public Stft(int fftSize, int hopSize)
    {
        if (hopSize < 1 || hopSize > fftSize || fftSize % hopSize != 0)
        {
            throw new ArgumentException($"Hop {hopSize} must divide FFT size {fftSize}.", nameof(hopSize));
        }

        FftSize = fftSize;
        HopSize = hopSize;
        _fft = new RealFft(fftSize);
        _window = VorbisWindow.Create(fftSize);
        _frame = new float[fftSize];
        _scratch = new float[fftSize];
        _forwardScale = 2f * hopSize / ((float)fftSize * fftSize);
    }

    public int FftSize { get; }

    public int HopSize { get; }

    public int Bins => FftSize / 2 + 1;

    /// <summary>Frames whose synthesis covers every one of <paramref name="samples"/> output samples.</summary>
    public int FramesFor(int samples) =>
        samples <= 0 ? 0 : (samples - 1 + FftSize - HopSize) / HopSize + 1;

    /// <summary>Analyses <paramref name="frames"/> frames of <paramref name="signal"/>, zeros outside it.</summary>
    public void Analyze(ReadOnlySpan<float> signal, int frames, Span<float> re, Span<float> im)
    {
        var bins = Bins;
        var lead = FftSize - HopSize;
        var window = _scratch;
        for (var t = 0; t < frames; t++)
        {
            var start = t * HopSize - lead;
            for (var i = 0; i < FftSize; i++)
            {
                var n = start + i;
                window[i] = (uint)n < (uint)signal.Length ? signal[n] : 0f;
            }

            AnalyzeFrame(window, re.Slice(t * bins, bins), im.Slice(t * bins, bins));
        }
    }

    /// <summary>Spectrum of one frame: the <see cref="FftSize"/> samples it covers, windowed and scaled.</summary>
    public void AnalyzeFrame(ReadOnlySpan<float> samples, Span<float> re, Span<float> im)
    {
        for (var i = 0; i < FftSize; i++)
        {
            _frame[i] = samples[i] * _window[i];
        }

        _fft.Forward(_frame, re, im);
        for (var f = 0; f < re.Length; f++)
        {
            re[f] *= _forwardScale;
            im[f] *= _forwardScale;
        }
    }

    /// <summary>Overlap-adds <paramref name="frames"/> frames into <paramref name="output"/> (cleared first).</summary>
    public void Synthesize(ReadOnlySpan<float> re, ReadOnlySpan<float> im, int frames, Span<float> output)
    {
        output.Clear();
        var bins = Bins;
        var lead = FftSize - HopSize;
        var windowed = _scratch;
        for (var t = 0; t < frames; t++)
        {
            SynthesizeFrame(re.Slice(t * bins, bins), im.Slice(t * bins, bins), windowed);
            var start = t * HopSize - lead;
            var from = Math.Max(0, -start);
            var to = Math.Min(FftSize, output.Length - start);
            for (var i = from; i < to; i++)
            {
                output[start + i] += windowed[i];
            }
        }
    }

    /// <summary>One frame back to time: inverse FFT, windowed again, ready to overlap-add at its position.</summary>
    public void SynthesizeFrame(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> windowed)
    {
        _fft.Inverse(re, im, _frame);
        for (var i = 0; i < FftSize; i++)
        {
            windowed[i] = _frame[i] * _window[i];
        }
    }
}
