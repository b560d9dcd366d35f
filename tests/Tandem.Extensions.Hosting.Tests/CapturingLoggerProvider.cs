using Microsoft.Extensions.Logging;

namespace Tandem.Extensions.Hosting.Tests;

/// <summary>One logged line.</summary>
internal sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

/// <summary>Keeps every line logged through it, in order, in a <see cref="Journal"/> it may share with the test's own
/// services; a test waits for a line with <see cref="WaitForAsync"/> (bounded) instead of sleeping.</summary>
internal sealed class CapturingLoggerProvider(Journal journal) : ILoggerProvider
{
    private readonly List<LogEntry> _entries = [];
    private readonly List<(Func<LogEntry, bool> Match, TaskCompletionSource<LogEntry> Done)> _waiters = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    /// <summary>The first line that matches, logged before or after the call; fails after <paramref name="timeout"/>.</summary>
    public async Task<LogEntry> WaitForAsync(Func<LogEntry, bool> match, TimeSpan timeout)
    {
        TaskCompletionSource<LogEntry> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_entries)
        {
            foreach (var entry in _entries)
                if (match(entry)) return entry;
            _waiters.Add((match, done));
        }
        return await done.Task.WaitAsync(timeout);
    }

    private void Add(LogEntry entry)
    {
        lock (_entries)
        {
            _entries.Add(entry);
            journal.Add($"log {entry.Category}/{entry.EventId.Id}: {entry.Message}");
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (!_waiters[i].Match(entry)) continue;
                _waiters[i].Done.TrySetResult(entry);
                _waiters.RemoveAt(i);
            }
        }
    }

    private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            provider.Add(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}

/// <summary>What happened, in order, across threads: the log lines and the test services' own steps.</summary>
internal sealed class Journal
{
    private readonly List<string> _lines = [];

    public void Add(string line)
    {
        lock (_lines) _lines.Add(line);
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_lines) return [.. _lines]; }
    }

    /// <summary>The position of the first line that contains <paramref name="text"/>; fails when there is none.</summary>
    public int IndexOf(string text)
    {
        var lines = Lines;
        for (int i = 0; i < lines.Count; i++)
            if (lines[i].Contains(text, StringComparison.Ordinal)) return i;
        Assert.Fail($"No line contains \"{text}\". The journal:\n{string.Join('\n', lines)}");
        return -1;
    }
}
