using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// The proxy's access logs: the one its options ask for (every request and TCP connection) and those the control
/// plane's connection managers and TCP proxies ask for (their requests and connections). One writer per destination
/// and format, made when first needed.
/// </summary>
internal sealed partial class AccessLogs(AccessLogConfig? option, ILogger log) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, AccessLogWriter> _writers = new(StringComparer.Ordinal);
    private readonly ConditionalWeakTable<IReadOnlyList<AccessLogConfig>, AccessLogWriter[]> _byManager = new();
    private AccessLogWriter[]? _optionOnly;

    /// <summary>The writers a request served by <paramref name="manager"/> goes to (none when logging is off).</summary>
    public AccessLogWriter[] For(ConnectionManagerModel? manager) => For(manager?.AccessLogs);

    /// <summary>
    /// The writers for a request or connection whose filter asks for <paramref name="configs"/>: those, and the options'
    /// log, each once (none when logging is off).
    /// </summary>
    public AccessLogWriter[] For(IReadOnlyList<AccessLogConfig>? configs)
    {
        if (configs is not { Count: > 0 })
        {
            return _optionOnly ??= OptionWriter is { } writer ? [writer] : [];
        }

        return _byManager.GetValue(configs, configs =>
        {
            var writers = configs.Select(Writer).OfType<AccessLogWriter>();
            return (OptionWriter is { } writer ? writers.Prepend(writer) : writers).Distinct().ToArray();
        });
    }

    /// <summary>
    /// The writer of the options' log, opened on first use; null when it is off. Throws <see cref="IOException"/> (or
    /// <see cref="UnauthorizedAccessException"/>) when its file cannot be opened, so a proxy can refuse to start.
    /// </summary>
    public AccessLogWriter? OptionWriter => option is null ? null : Open(option);

    /// <summary>Entries written out by every writer.</summary>
    public ProgressCounter Written { get; } = new();

    /// <summary>Entries dropped by every writer because its queue was full.</summary>
    public long Dropped => _writers.Values.Sum(w => w.Dropped);

    /// <summary>A connection manager's writer; null (with a warning) when its file cannot be opened.</summary>
    private AccessLogWriter? Writer(AccessLogConfig config)
    {
        try
        {
            return Open(config);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogOpenFailed(log, config.Path, e.Message);
            return null;
        }
    }

    private AccessLogWriter Open(AccessLogConfig config)
    {
        if (_writers.TryGetValue(config.Key, out var writer))
        {
            return writer;
        }

        lock (_writers)
        {
            if (!_writers.TryGetValue(config.Key, out writer))
            {
                writer = new AccessLogWriter(config.Path, config.Format, log, Written);
                _writers[config.Key] = writer;
            }

            return writer;
        }
    }

    [LoggerMessage(EventId = 701, Level = LogLevel.Warning, Message = "cannot open the access log {Path} the control plane asks for: {Reason}")]
    private static partial void LogOpenFailed(ILogger log, string path, string reason);

    public async ValueTask DisposeAsync()
    {
        foreach (var writer in _writers.Values)
        {
            await writer.DisposeAsync().ConfigureAwait(false);
        }
    }
}
