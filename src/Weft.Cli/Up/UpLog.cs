using Microsoft.Extensions.Logging;

namespace Weft.Cli.Up;

/// <summary>
/// Hands what the in-process control plane logs (pushes, rejected configuration with file:line, proxies coming and going) to
/// <c>weft up</c> as one line each, so it can show them in its view or print them; framework chatter below warnings is dropped.
/// </summary>
internal sealed class UpLog(Action<LogLevel, string> sink) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(sink, categoryName.StartsWith("Weft.", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

    public void Dispose()
    {
    }

    private sealed class Logger(Action<LogLevel, string> sink, LogLevel least) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= least && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink(logLevel, formatter(state, exception));
            }
        }
    }
}
