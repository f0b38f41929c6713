using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Control.Tests.Support;

/// <summary>A logger factory that keeps every message at Information or above with its event id, for tests that read what the control plane reported.</summary>
internal sealed class RecordedLogs : ILoggerFactory
{
    public ConcurrentQueue<(int EventId, string Message)> Messages { get; } = new();

    public IReadOnlyList<string> Of(int eventId) => Messages.Where(m => m.EventId == eventId).Select(m => m.Message).ToList();

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                owner.Messages.Enqueue((eventId.Id, formatter(state, exception)));
            }
        }
    }
}
