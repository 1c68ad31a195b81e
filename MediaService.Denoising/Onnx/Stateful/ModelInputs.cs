namespace AudioStream.MediaService.Denoising.Onnx.Stateful;

/// <summary>Encoder inputs of one signal: feat_erb [frames, erb] and feat_spec [2, frames, df].</summary>
internal sealed record ModelInputs(float[] FeatErb, float[] FeatSpec, int Frames)
{
    /// <summary>Copies frames [<paramref name="from"/>, + <paramref name="count"/>) into slot <paramref name="slot"/> of the batch.</summary>
    public void CopyFrame(StatefulBatch batch, int slot, int from, int count)
    {
        var erb = FeatErb.Length / Frames;
        var df = FeatSpec.Length / Frames / 2;
        for (var j = 0; j < count; j++)
        {
            FeatErb.AsSpan((from + j) * erb, erb).CopyTo(batch.FeatErb(slot, j));
            FeatSpec.AsSpan((from + j) * df, df).CopyTo(batch.FeatSpec(slot, 0, j));
            FeatSpec.AsSpan((Frames + from + j) * df, df).CopyTo(batch.FeatSpec(slot, 1, j));
        }
    }
}
