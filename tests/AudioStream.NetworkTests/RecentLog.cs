using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace AudioStream.NetworkTests;

/// <summary>
/// The AppHost's own lines and coturn's, kept in memory (the last <see cref="Capacity"/>) so a failing test can show
/// what the relay and the address watcher did meanwhile; CI shows a passing test's console output to no one.
/// </summary>
internal sealed class RecentLog : ILoggerProvider
{
    private const int Capacity = 400;
    private static readonly string[] Categories = ["AudioStream.AppHost", "AppHost.Resources.turn"];

    private readonly ConcurrentQueue<(DateTimeOffset At, string Line)> _lines = new();

    public ILogger CreateLogger(string categoryName) =>
        Categories.Any(prefix => categoryName.StartsWith(prefix, StringComparison.Ordinal)) ? new Writer(this, categoryName) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>The last <paramref name="most"/> kept lines logged at or after <paramref name="since"/>, one per line.</summary>
    public string Since(DateTimeOffset since, int most = 150) =>
        string.Join('\n', _lines.Where(entry => entry.At >= since).TakeLast(most).Select(entry => $"{entry.At:HH:mm:ss.fff} {entry.Line}"));

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue((DateTimeOffset.UtcNow, line));
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Writer(RecentLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Add($"{category}: {formatter(state, exception)}");
            }
        }
    }
}
