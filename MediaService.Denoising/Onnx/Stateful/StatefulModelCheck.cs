using System.Globalization;
using Microsoft.ML.OnnxRuntime;

namespace AudioStream.MediaService.Denoising.Onnx.Stateful;

/// <summary>
/// Proves a rewritten export right before the live path trusts it: random features run once through the original
/// graphs as a whole sequence, and frame by frame (in calls of 1 to 4 frames, batched with a second stream) through
/// the stateful ones. Their masks and coefficients must agree.
/// </summary>
internal static class StatefulModelCheck
{
    /// <summary>Largest difference accepted at load; the rewrite measured ~1e-6 here, a lost state ~1.</summary>
    public const float Tolerance = 1e-3f;

    private const int Frames = 24;
    private static readonly int[] CallSizes = [1, 1, 2, 1, 3, 4, 1, 2, 1, 1, 4, 3];

    public static (float Mask, float Coefs) MaxDifference(StatefulModel model, DeepFilterNetSessions original, DeepFilterNetConfig config)
    {
        var subject = RandomFeatures(0, config.ErbBands, config.DfBins);
        var companion = RandomFeatures(1, config.ErbBands, config.DfBins);
        return MaxDifference(model, original, subject, companion, CallSizes);
    }

    /// <summary>
    /// Runs <paramref name="subject"/> through the original graphs as one sequence, and frame by frame through the
    /// stateful ones in calls of <paramref name="callSizes"/> frames batched with <paramref name="companion"/>
    /// (same length), and returns the largest differences of the subject's mask and coefficients.
    /// </summary>
    public static (float Mask, float Coefs) MaxDifference(
        StatefulModel model, DeepFilterNetSessions original, ModelInputs subject, ModelInputs companion, IReadOnlyList<int> callSizes)
    {
        var erb = subject.FeatErb.Length / subject.Frames;
        var df = subject.FeatSpec.Length / subject.Frames / 2;
        var (wholeMask, wholeCoefs) = RunWhole(original, subject, erb, df);
        var inputs = new[] { subject, companion };

        using var batch = new StatefulBatch(model);
        using var runOptions = new RunOptions();
        var states = new[] { model.CreateState(), model.CreateState() };
        float maskDiff = 0, coefsDiff = 0;
        var t = 0;
        foreach (var size in callSizes)
        {
            if (t + size > subject.Frames)
            {
                break;
            }

            batch.Begin(2, size);
            for (var b = 0; b < 2; b++)
            {
                batch.States[b] = states[b];
                inputs[b].CopyFrame(batch, b, t, size);
            }

            model.Run(batch, runOptions);
            for (var j = 0; j < size; j++)
            {
                maskDiff = Math.Max(maskDiff, MaxAbs(batch.Mask(0, j), wholeMask.AsSpan((t + j) * erb, erb)));
                var perFrame = batch.Coefs(0, j).Length;
                coefsDiff = Math.Max(coefsDiff, MaxAbs(batch.Coefs(0, j), wholeCoefs.AsSpan((t + j) * perFrame, perFrame)));
            }

            t += size;
        }

        return (maskDiff, coefsDiff);
    }

    /// <summary>Throws naming the output that differs when the stateful graphs do not reproduce the originals.</summary>
    public static void Verify(StatefulModel model, DeepFilterNetSessions original, DeepFilterNetConfig config)
    {
        var (mask, coefs) = MaxDifference(model, original, config);
        if (!(mask <= Tolerance) || !(coefs <= Tolerance))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"the rewritten graphs run frame by frame differ from the export run whole: mask by {mask:G3}, coefs by {coefs:G3} (tolerance {Tolerance:G1})"));
        }
    }

    private static ModelInputs RandomFeatures(int seed, int erb, int df)
    {
        // AR(1) noise: smooth over time like real features, so the recurrent state matters.
        var random = new Random(seed);
        var featErb = new float[Frames * erb];
        var featSpec = new float[2 * Frames * df];
        float Next(float previous) => 0.8f * previous + 0.3f * (float)(random.NextDouble() * 2 - 1);
        for (var t = 0; t < Frames; t++)
        {
            for (var i = 0; i < erb; i++)
            {
                featErb[t * erb + i] = Next(t > 0 ? featErb[(t - 1) * erb + i] : 0);
            }

            for (var c = 0; c < 2; c++)
            {
                for (var i = 0; i < df; i++)
                {
                    var at = (c * Frames + t) * df + i;
                    featSpec[at] = Next(t > 0 ? featSpec[at - df] : 0);
                }
            }
        }

        return new ModelInputs(featErb, featSpec, Frames);
    }

    private static (float[] Mask, float[] Coefs) RunWhole(DeepFilterNetSessions sessions, ModelInputs features, int erb, int df)
    {
        using var runOptions = new RunOptions();
        using var featErb = OrtValue.CreateTensorValueFromMemory(features.FeatErb, [1, 1, features.Frames, erb]);
        using var featSpec = OrtValue.CreateTensorValueFromMemory(features.FeatSpec, [1, 2, features.Frames, df]);
        using var encoded = sessions.Encoder.Run(runOptions, DeepFilterNetSessions.EncoderInputs, [featErb, featSpec], DeepFilterNetSessions.EncoderOutputs);
        OrtValue Encoded(string name) => encoded[Array.IndexOf(DeepFilterNetSessions.EncoderOutputs, name)];
        using var mask = sessions.ErbDecoder.Run(runOptions, DeepFilterNetSessions.ErbDecoderInputs,
            [.. DeepFilterNetSessions.ErbDecoderInputs.Select(Encoded)], DeepFilterNetSessions.ErbDecoderOutputs);
        using var coefs = sessions.DfDecoder.Run(runOptions, DeepFilterNetSessions.DfDecoderInputs,
            [.. DeepFilterNetSessions.DfDecoderInputs.Select(Encoded)], DeepFilterNetSessions.DfDecoderOutputs);
        return (mask[0].GetTensorDataAsSpan<float>().ToArray(), coefs[0].GetTensorDataAsSpan<float>().ToArray());
    }

    private static float MaxAbs(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var max = 0f;
        for (var i = 0; i < a.Length; i++)
        {
            var d = MathF.Abs(a[i] - b[i]);
            max = float.IsNaN(d) ? float.NaN : Math.Max(max, d);
            if (float.IsNaN(max))
            {
                return max;
            }
        }

        return max;
    }
}
