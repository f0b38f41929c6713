using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Weft.Proxy.Hosting;

/// <summary>
/// Passes the caller's loggers through, except Kestrel's startup warning that HTTP/2 needs TLS on a cleartext endpoint:
/// the proxy's listeners do take cleartext HTTP/2 (see Http2Sniffing), so the warning would only mislead. ASP.NET Core's
/// hosting diagnostics get no logger at all: it writes only request start and finish lines at Information, but while its
/// logger is enabled at any level it starts an <see cref="System.Diagnostics.Activity"/> and a log scope for every request
/// (and HttpClient then a child activity for every upstream request), which cost a fifth of the proxy's allocations.
/// </summary>
internal sealed class KestrelLogFilter(ILoggerFactory inner) : ILoggerFactory
{
    private const string KestrelCategory = "Microsoft.AspNetCore.Server.Kestrel";
    private const int Http2NeedsTls = 64;
    private const string HostingDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public ILogger CreateLogger(string categoryName)
    {
        if (categoryName == HostingDiagnosticsCategory)
        {
            return NullLogger.Instance;
        }

        var logger = inner.CreateLogger(categoryName);
        return categoryName == KestrelCategory ? new Filtered(logger) : logger;
    }

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    /// <summary>The caller owns the factory it passed in.</summary>
    public void Dispose()
    {
    }

    private sealed class Filtered(ILogger logger) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => logger.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => logger.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != Http2NeedsTls)
            {
                logger.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
