using System.Globalization;

namespace AudioStream.MediaService.Denoising.Onnx;

/// <summary>The signal-chain parameters an export's <c>config.ini</c> fixes.</summary>
public sealed record DeepFilterNetConfig(
    int SampleRate,
    int FftSize,
    int HopSize,
    int ErbBands,
    int DfBins,
    float NormTau,
    int MinErbBins,
    int DfOrder,
    int DfLookahead,
    int ConvLookahead)
{
    public const string FileName = "config.ini";

    public static DeepFilterNetConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"DeepFilterNet configuration not found: {path}", path);
        }

        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Reads the [df] and [deepfilternet] keys the signal chain needs; unknown keys are ignored.</summary>
    public static DeepFilterNetConfig Parse(string text, string source = FileName)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var section = "";
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[' && line[^1] == ']')
            {
                section = line[1..^1].Trim();
                continue;
            }

            var equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                values[$"{section}.{line[..equals].Trim()}"] = line[(equals + 1)..].Trim();
            }
        }

        int Int(string key)
        {
            var text = Get(key);
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvalidDataException($"{source}: [{key.Replace(".", "] ", StringComparison.Ordinal)} = '{text}' is not an integer.");
        }

        float Float(string key)
        {
            var text = Get(key);
            return float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new InvalidDataException($"{source}: [{key.Replace(".", "] ", StringComparison.Ordinal)} = '{text}' is not a number.");
        }

        string Get(string key) => values.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{source}: missing [{key.Replace(".", "] ", StringComparison.Ordinal)}.");

        var config = new DeepFilterNetConfig(
            SampleRate: Int("df.sr"),
            FftSize: Int("df.fft_size"),
            HopSize: Int("df.hop_size"),
            ErbBands: Int("df.nb_erb"),
            DfBins: Int("df.nb_df"),
            NormTau: Float("df.norm_tau"),
            MinErbBins: Int("df.min_nb_erb_freqs"),
            DfOrder: Int("df.df_order"),
            DfLookahead: Int("df.df_lookahead"),
            ConvLookahead: Int("deepfilternet.conv_lookahead"));
        config.Validate(source);
        return config;
    }

    private void Validate(string source)
    {
        if (SampleRate <= 0 || HopSize <= 0 || FftSize < 2 * HopSize || FftSize % HopSize != 0)
        {
            throw new InvalidDataException($"{source}: sr {SampleRate}, fft_size {FftSize}, hop_size {HopSize} do not make an STFT.");
        }

        if (ErbBands <= 0 || DfBins <= 0 || DfBins > FftSize / 2 + 1 || DfOrder <= 0 || DfLookahead < 0
            || DfLookahead >= DfOrder || ConvLookahead < 0 || MinErbBins <= 0 || NormTau <= 0)
        {
            throw new InvalidDataException($"{source}: nb_erb, nb_df, df_order, df_lookahead, conv_lookahead or norm_tau out of range.");
        }
    }
}
