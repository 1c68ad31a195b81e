namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// Real FFT of even size N through one complex FFT of N/2 points (even samples as real part, odd as imaginary).
/// Spectra are the N/2 + 1 non-negative bins. Unnormalised in both directions. One instance per thread.
/// </summary>
public sealed class RealFft
{
    private readonly ComplexFft _half;
    private readonly float[] _cos;
    private readonly float[] _sin;
    private readonly float[] _zr;
    private readonly float[] _zi;

    public RealFft(int size)
    {
        if (size < 2 || size % 2 != 0)
        {
            throw new ArgumentException($"Real FFT size must be even and at least 2, not {size}.", nameof(size));
        }

        Size = size;
        var m = size / 2;
        _half = new ComplexFft(m);
        _cos = new float[m + 1];
        _sin = new float[m + 1];
        for (var k = 0; k <= m; k++)
        {
            _cos[k] = (float)Math.Cos(2 * Math.PI * k / size);
            _sin[k] = (float)Math.Sin(2 * Math.PI * k / size);
        }

        _zr = new float[m];
        _zi = new float[m];
    }

    public int Size { get; }

    public int Bins => Size / 2 + 1;

    public void Forward(ReadOnlySpan<float> signal, Span<float> re, Span<float> im)
    {
        var m = Size / 2;
        for (var n = 0; n < m; n++)
        {
            _zr[n] = signal[2 * n];
            _zi[n] = signal[2 * n + 1];
        }

        _half.Forward(_zr, _zi);
        for (var k = 0; k <= m; k++)
        {
            var a = k == m ? 0 : k;
            var b = k == 0 ? 0 : m - k;
            // Z[k] and conj(Z[M−k]) separate the even (E) and odd (O) half spectra.
            float zr = _zr[a], zi = _zi[a];
            float cr = _zr[b], ci = -_zi[b];
            float er = 0.5f * (zr + cr), ei = 0.5f * (zi + ci);
            float dr = zr - cr, di = zi - ci;
            float or = 0.5f * di, oi = -0.5f * dr;
            // X[k] = E + e^(−2πik/N)·O
            float wr = _cos[k], wi = -_sin[k];
            re[k] = er + (or * wr - oi * wi);
            im[k] = ei + (or * wi + oi * wr);
        }
    }

    public void Inverse(ReadOnlySpan<float> re, ReadOnlySpan<float> im, Span<float> signal)
    {
        var m = Size / 2;
        for (var k = 0; k < m; k++)
        {
            float ar = re[k], ai = im[k];
            float br = re[m - k], bi = -im[m - k];
            float sr = ar + br, si = ai + bi;
            float dr = ar - br, di = ai - bi;
            // i·e^(+2πik/N)·(A − B)
            float wr = _cos[k], wi = _sin[k];
            float tr = dr * wr - di * wi, ti = dr * wi + di * wr;
            _zr[k] = sr - ti;
            _zi[k] = si + tr;
        }

        _half.Inverse(_zr, _zi);
        for (var n = 0; n < m; n++)
        {
            signal[2 * n] = _zr[n];
            signal[2 * n + 1] = _zi[n];
        }
    }
}
