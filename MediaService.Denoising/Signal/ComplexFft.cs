namespace AudioStream.MediaService.Denoising.Signal;

/// <summary>
/// Mixed-radix (2, 3, 4, 5) complex FFT in Stockham form, split real/imaginary arrays, unnormalised.
/// DeepFilterNet's sizes (480 complex points for a 960-sample frame) are not powers of two.
/// An instance holds its own scratch: one instance per thread.
/// </summary>
public sealed class ComplexFft
{
    private readonly int[] _radices;
    private readonly float[][] _twiddleRe;
    private readonly float[][] _twiddleIm;
    private readonly float[] _workRe;
    private readonly float[] _workIm;
    private static readonly float Sin60 = (float)Math.Sin(Math.PI / 3);
    private static readonly float Cos72 = (float)Math.Cos(2 * Math.PI / 5);
    private static readonly float Sin72 = (float)Math.Sin(2 * Math.PI / 5);
    private static readonly float Cos144 = (float)Math.Cos(4 * Math.PI / 5);
    private static readonly float Sin144 = (float)Math.Sin(4 * Math.PI / 5);

    public ComplexFft(int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Size = size;
        _radices = Factor(size);
        _twiddleRe = new float[_radices.Length][];
        _twiddleIm = new float[_radices.Length][];
        var n = size;
        for (var stage = 0; stage < _radices.Length; stage++)
        {
            var r = _radices[stage];
            var m = n / r;
            var re = new float[m * r];
            var im = new float[m * r];
            for (var p = 0; p < m; p++)
            {
                for (var k = 0; k < r; k++)
                {
                    var angle = -2.0 * Math.PI * p * k / n;
                    re[p * r + k] = (float)Math.Cos(angle);
                    im[p * r + k] = (float)Math.Sin(angle);
                }
            }

            _twiddleRe[stage] = re;
            _twiddleIm[stage] = im;
            n = m;
        }

        _workRe = new float[size];
        _workIm = new float[size];
    }

    public int Size { get; }

    /// <summary>Forward transform in place: X[k] = Σ x[n]·e^(−2πikn/N).</summary>
    public void Forward(Span<float> re, Span<float> im)
    {
        if (re.Length < Size || im.Length < Size)
        {
            throw new ArgumentException($"Buffers must hold {Size} values.");
        }

        var inRe = re[..Size];
        var inIm = im[..Size];
        Span<float> outRe = _workRe;
        Span<float> outIm = _workIm;
        var n = Size;
        var stride = 1;
        for (var stage = 0; stage < _radices.Length; stage++)
        {
            var r = _radices[stage];
            var m = n / r;
            Butterflies(r, m, stride, inRe, inIm, outRe, outIm, _twiddleRe[stage], _twiddleIm[stage]);
            var tr = inRe;
            inRe = outRe;
            outRe = tr;
            var ti = inIm;
            inIm = outIm;
            outIm = ti;
            n = m;
            stride *= r;
        }

        // After an odd number of stages the result sits in the work buffers.
        if ((_radices.Length & 1) == 1)
        {
            _workRe.AsSpan().CopyTo(re);
            _workIm.AsSpan().CopyTo(im);
        }
    }

    /// <summary>Inverse transform in place, unnormalised: x[n] = Σ X[k]·e^(+2πikn/N).</summary>
    public void Inverse(Span<float> re, Span<float> im)
    {
        Negate(im[..Size]);
        Forward(re, im);
        Negate(im[..Size]);
    }

    private static void Negate(Span<float> values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = -values[i];
        }
    }

    private static void Butterflies(
        int r, int m, int s,
        ReadOnlySpan<float> xr, ReadOnlySpan<float> xi, Span<float> yr, Span<float> yi,
        ReadOnlySpan<float> wr, ReadOnlySpan<float> wi)
    {
        var sm = s * m;
        for (var p = 0; p < m; p++)
        {
            var w = p * r;
            for (var q = 0; q < s; q++)
            {
                var src = q + s * p;
                var dst = q + s * r * p;
                switch (r)
                {
                    case 2:
                        {
                            float ar = xr[src], ai = xi[src];
                            float br = xr[src + sm], bi = xi[src + sm];
                            yr[dst] = ar + br;
                            yi[dst] = ai + bi;
                            Store(yr, yi, dst + s, ar - br, ai - bi, wr[w + 1], wi[w + 1]);
                            break;
                        }

                    case 3:
                        {
                            float ar = xr[src], ai = xi[src];
                            float br = xr[src + sm], bi = xi[src + sm];
                            float cr = xr[src + 2 * sm], ci = xi[src + 2 * sm];
                            float sr = br + cr, si = bi + ci;
                            float dr = br - cr, di = bi - ci;
                            float mr = ar - 0.5f * sr, mi = ai - 0.5f * si;
                            // ω = e^(−2πi/3): ω·d contributes −i·sin60·d to bin 1 and +i·sin60·d to bin 2.
                            float tr = Sin60 * di, ti = -Sin60 * dr;
                            yr[dst] = ar + sr;
                            yi[dst] = ai + si;
                            Store(yr, yi, dst + s, mr + tr, mi + ti, wr[w + 1], wi[w + 1]);
                            Store(yr, yi, dst + 2 * s, mr - tr, mi - ti, wr[w + 2], wi[w + 2]);
                            break;
                        }

                    case 4:
                        {
                            float ar = xr[src], ai = xi[src];
                            float br = xr[src + sm], bi = xi[src + sm];
                            float cr = xr[src + 2 * sm], ci = xi[src + 2 * sm];
                            float dr = xr[src + 3 * sm], di = xi[src + 3 * sm];
                            float t0r = ar + cr, t0i = ai + ci;
                            float t1r = ar - cr, t1i = ai - ci;
                            float t2r = br + dr, t2i = bi + di;
                            // −i·(b − d)
                            float t3r = bi - di, t3i = dr - br;
                            yr[dst] = t0r + t2r;
                            yi[dst] = t0i + t2i;
                            Store(yr, yi, dst + s, t1r + t3r, t1i + t3i, wr[w + 1], wi[w + 1]);
                            Store(yr, yi, dst + 2 * s, t0r - t2r, t0i - t2i, wr[w + 2], wi[w + 2]);
                            Store(yr, yi, dst + 3 * s, t1r - t3r, t1i - t3i, wr[w + 3], wi[w + 3]);
                            break;
                        }

                    default:
                        {
                            float ar = xr[src], ai = xi[src];
                            float br = xr[src + sm], bi = xi[src + sm];
                            float cr = xr[src + 2 * sm], ci = xi[src + 2 * sm];
                            float dr = xr[src + 3 * sm], di = xi[src + 3 * sm];
                            float er = xr[src + 4 * sm], ei = xi[src + 4 * sm];
                            float s1r = br + er, s1i = bi + ei, d1r = br - er, d1i = bi - ei;
                            float s2r = cr + dr, s2i = ci + di, d2r = cr - dr, d2i = ci - di;
                            float m1r = ar + Cos72 * s1r + Cos144 * s2r, m1i = ai + Cos72 * s1i + Cos144 * s2i;
                            float m2r = ar + Cos144 * s1r + Cos72 * s2r, m2i = ai + Cos144 * s1i + Cos72 * s2i;
                            // −i·(sin72·d1 + sin144·d2) and −i·(sin144·d1 − sin72·d2)
                            float n1r = Sin72 * d1i + Sin144 * d2i, n1i = -(Sin72 * d1r + Sin144 * d2r);
                            float n2r = Sin144 * d1i - Sin72 * d2i, n2i = -(Sin144 * d1r - Sin72 * d2r);
                            yr[dst] = ar + s1r + s2r;
                            yi[dst] = ai + s1i + s2i;
                            Store(yr, yi, dst + s, m1r + n1r, m1i + n1i, wr[w + 1], wi[w + 1]);
                            Store(yr, yi, dst + 2 * s, m2r + n2r, m2i + n2i, wr[w + 2], wi[w + 2]);
                            Store(yr, yi, dst + 3 * s, m2r - n2r, m2i - n2i, wr[w + 3], wi[w + 3]);
                            Store(yr, yi, dst + 4 * s, m1r - n1r, m1i - n1i, wr[w + 4], wi[w + 4]);
                            break;
                        }
                }
            }
        }
    }

    private static void Store(Span<float> yr, Span<float> yi, int index, float re, float im, float twRe, float twIm)
    {
        yr[index] = re * twRe - im * twIm;
        yi[index] = re * twIm + im * twRe;
    }

    private static int[] Factor(int size)
    {
        var radices = new List<int>();
        var n = size;
        foreach (var r in (ReadOnlySpan<int>)[4, 2, 3, 5])
        {
            while (n % r == 0)
            {
                radices.Add(r);
                n /= r;
            }
        }

        if (n != 1)
        {
            throw new ArgumentException($"FFT size {size} has a prime factor other than 2, 3 and 5.", nameof(size));
        }

        return [.. radices];
    }
}
