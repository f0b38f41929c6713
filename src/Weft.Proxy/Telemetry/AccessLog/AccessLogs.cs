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
    private readonly ConditionalWeakTable<IReadOnlyList<AccessLogConfig>, AccessLogTarget[]> _byConfigs = new();
    private AccessLogTarget[]? _optionOnly;

    /// <summary>Where a request served by <paramref name="manager"/> is logged (nowhere when logging is off).</summary>
    public AccessLogTarget[] For(ConnectionManagerModel? manager) => For(manager?.AccessLogs);

    /// <summary>
    /// Where a request or connection whose filter or listener asks for <paramref name="configs"/> is logged: those, each
    /// with its filter, and the options' log (every entry).
    /// </summary>
    public AccessLogTarget[] For(IReadOnlyList<AccessLogConfig>? configs)
    {
        if (configs is not { Count: > 0 })
        {
            return _optionOnly ??= OptionWriter is { } writer ? [new AccessLogTarget(writer, null)] : [];
        }

        return _byConfigs.GetValue(configs, configs =>
        {
            var targets = configs.Select(c => Writer(c) is { } w ? new AccessLogTarget(w, c.Filter) : null).OfType<AccessLogTarget>();
            // One target per writer, so a line is written once: unfiltered when any of its logs is, else when any filter matches.
            return (OptionWriter is { } writer ? targets.Prepend(new AccessLogTarget(writer, null)) : targets)
                .GroupBy(t => t.Writer)
                .Select(g => g.Any(t => t.Filter is null) ? new AccessLogTarget(g.Key, null)
                    : g.Count() == 1 ? g.First()
                    : new AccessLogTarget(g.Key, new OrLogFilter(g.Select(t => t.Filter!).ToArray())))
                .ToArray();
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

/// <summary>A writer and the filter that decides what reaches it (none for the options' log: everything).</summary>
internal sealed record AccessLogTarget(AccessLogWriter Writer, AccessLogFilter? Filter)
{
    public AccessLogFormat Format => Writer.Format;

    /// <summary>Whether an entry passes the target's filter.</summary>
    public bool Accepts(in AccessLogFacts facts) => Filter?.Matches(facts) ?? true;

    /// <summary>Whether any of <paramref name="targets"/> needs an entry's attributes (a CEL filter): only then are they bound.</summary>
    public static bool UseAttributes(AccessLogTarget[] targets)
    {
        foreach (var target in targets)
        {
            if (target.Filter?.UsesAttributes == true)
            {
                return true;
            }
        }

        return false;
    }
}
