using System.Globalization;

namespace AudioStream.MediaService.Denoising.CommandLine;

/// <summary>Options of the form <c>--name value</c> or <c>--flag</c>, and positional arguments, in order.</summary>
internal sealed class CommandLineArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private CommandLineArguments()
    {
    }

    public List<string> Positional { get; } = [];

    public static CommandLineArguments Parse(IEnumerable<string> args, IReadOnlySet<string> flags, IReadOnlySet<string> valued)
    {
        var parsed = new CommandLineArguments();
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (flags.Contains(arg))
            {
                parsed._options[arg] = null;
            }
            else if (valued.Contains(arg))
            {
                parsed._options[arg] = e.MoveNext() ? e.Current : throw new UsageException($"{arg} needs a value.");
            }
            else if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                throw new UsageException($"Unknown option {arg}.");
            }
            else
            {
                parsed.Positional.Add(arg);
            }
        }

        return parsed;
    }

    public bool Has(string name) => _options.ContainsKey(name);

    public string? Value(string name) => _options.GetValueOrDefault(name);

    public double? Seconds(string name)
    {
        var text = Value(name);
        if (text is null)
        {
            return null;
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 && double.IsFinite(value)
            ? value
            : throw new UsageException($"{name} needs a number of seconds, not '{text}'.");
    }

    public int? Integer(string name)
    {
        var text = Value(name);
        if (text is null)
        {
            return null;
        }

        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new UsageException($"{name} needs a non-negative integer, not '{text}'.");
    }
}

internal sealed class UsageException(string message) : Exception(message);
