using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Weft.Proxy.Tests.Support;

/// <summary>Keeps every message logged at Debug or above, with its event id, for tests that read what the proxy reported.</summary>
internal sealed class LogRecorder : ILoggerProvider, ILoggerFactory
{
    public ConcurrentQueue<(int EventId, string Message)> Messages { get; } = new();

    /// <summary>The messages of one event id, waiting (bounded) until there are at least <paramref name="count"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitForAsync(int eventId, int count = 1)
    {
        using var bound = new CancellationTokenSource(RawConnection.Wait);
        while (true)
        {
            var found = Messages.Where(m => m.EventId == eventId).Select(m => m.Message).ToList();
            if (found.Count >= count)
            {
                return found;
            }

            await Task.Delay(10, bound.Token);
        }
    }

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Recorder(LogRecorder owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Messages.Enqueue((eventId.Id, formatter(state, exception)));
    }
}
