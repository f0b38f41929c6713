using System.Globalization;
using Microsoft.Extensions.Logging;
using Weft.Control.Config;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Control.Xds;

namespace Weft.Control.Hosting;

/// <summary>
/// Watches the configuration directory and turns each merged burst of file changes into a new push: rescan, validate
/// (rejections logged with file:line and kept out), rebuild the registry and push context, hand it to the xDS server.
/// </summary>
public sealed partial class ConfigController : IDisposable
{
    private readonly DirectorySource _source;
    private readonly ConfigStore _store;
    private readonly XdsServer _xds;
    private readonly MeshConfig _mesh;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Debouncer _debouncer;
    private readonly Metrics.ControlMetrics _metrics;
    private FileSystemWatcher? _watcher;
    private readonly object _reloading = new();
    private long _pushVersion;
    private HashSet<string> _reported = new(StringComparer.Ordinal);
    private readonly Generators.Authentication.JwksResolver _jwks;

    public ConfigController(string directory, ConfigStore store, XdsServer xds, MeshConfig mesh, Metrics.ControlMetrics metrics, TimeProvider time, ILogger<ConfigController> log, TimeSpan debounce, TimeSpan debounceMax,
        Generators.Authentication.JwksResolver? jwks = null)
    {
        _jwks = jwks ?? Generators.Authentication.JwksResolver.Online(time, log);
        _source = new DirectorySource(directory);
        _store = store;
        _xds = xds;
        _mesh = mesh;
        _metrics = metrics;
        _time = time;
        _log = log;
        _debouncer = new Debouncer(debounce, debounceMax, time);
    }

    /// <summary>Raised after each push context is handed to the xDS server (tests and the benchmark wait on it).</summary>
    public event Action<PushContext>? Pushed;

    public string Directory => _source.Root;

    /// <summary>Loads the directory once (synchronously, so the first proxies get a complete configuration), then watches it.</summary>
    public void Start()
    {
        Reload();
        if (!System.IO.Directory.Exists(_source.Root))
        {
            System.IO.Directory.CreateDirectory(_source.Root);
        }

        _watcher = new FileSystemWatcher(_source.Root)
        {
            IncludeSubdirectories = true,
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            InternalBufferSize = 64 * 1024,
        };
        _watcher.Changed += (_, _) => _debouncer.Signal();
        _watcher.Created += (_, _) => _debouncer.Signal();
        _watcher.Deleted += (_, _) => _debouncer.Signal();
        _watcher.Renamed += (_, _) => _debouncer.Signal();
        _watcher.Error += (_, _) => _debouncer.Signal();
        _watcher.EnableRaisingEvents = true;
    }

    /// <summary>The JWKS fetched for RequestAuthentications' <c>jwksUri</c>, as pushes inline them.</summary>
    public Generators.Authentication.JwksResolver Jwks => _jwks;

    /// <summary>Runs the debounced reload loop and the JWKS refresh until cancelled.</summary>
    public Task RunAsync(CancellationToken cancel) => Task.WhenAll(_debouncer.RunAsync(_ =>
    {
        try
        {
            Reload();
        }
        catch (Exception e)
        {
            LogReloadFailed(_log, e.Message);
        }

        return Task.CompletedTask;
    }, cancel), RefreshJwksAsync(cancel));

    /// <summary>
    /// Refetches cached JWKS when due (every 20 minutes, every minute after a failure, as istiod does) and pushes when
    /// any of them changed, so that proxies learn rotated keys, or the real keys once an unreachable server answers.
    /// </summary>
    private async Task RefreshJwksAsync(CancellationToken cancel)
    {
        while (!cancel.IsCancellationRequested)
        {
            var due = _jwks.NextDue() is { } next ? next - _time.GetUtcNow() : _jwks.RetryInterval;
            var wait = due < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : due > _jwks.RetryInterval ? _jwks.RetryInterval : due;
            try
            {
                await Task.Delay(wait, _time, cancel).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            try
            {
                if (await Task.Run(_jwks.RefreshDue, cancel).ConfigureAwait(false))
                {
                    Repush("JWKS");
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                LogReloadFailed(_log, e.Message);
            }
        }
    }

    /// <summary>Pushes the configuration in force again (something outside the directory, such as a JWKS, changed).</summary>
    public void Repush(string reason)
    {
        lock (_reloading)
        {
            if (_pushVersion == 0)
            {
                return;
            }

            var previous = _xds.Current;
            var version = Interlocked.Increment(ref _pushVersion);
            var push = new PushContext(_store.Current, previous.Registry, _mesh, version,
                _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) + "/" + version.ToString(CultureInfo.InvariantCulture),
                previous, new HashSet<string>(StringComparer.Ordinal) { "RequestAuthentication" })
            {
                Jwks = _jwks,
            };
            _xds.Push(push);
            LogRepushed(_log, version, reason);
            Pushed?.Invoke(push);
        }
    }

    /// <summary>Asks for a rescan as a file event would (for callers that know they changed something).</summary>
    public void Poke() => _debouncer.Signal();

    /// <summary>Rescans now; pushes when anything in force changed. Returns the keys that changed.</summary>
    public IReadOnlySet<ConfigKey> Reload()
    {
        lock (_reloading)
        {
            return ReloadLocked();
        }
    }

    private IReadOnlySet<ConfigKey> ReloadLocked()
    {
        var changes = _source.Scan();
        if (changes.Count == 0)
        {
            return new HashSet<ConfigKey>();
        }

        var changed = _store.Apply(changes);
        Report(_store.Current);
        if (changed.Count > 0 || _pushVersion == 0)
        {
            var snapshot = _store.Current;
            var version = Interlocked.Increment(ref _pushVersion);
            var previous = _pushVersion > 1 ? _xds.Current : null;
            var kinds = changed.Select(k => k.Kind).ToHashSet(StringComparer.Ordinal);
            // The registry is made of services and workloads only; a routing or policy change keeps it, and with it every
            // proxy's workload, class and the clusters and endpoints they were sent.
            var registry = previous?.Registry is LocalRegistry kept && !kinds.Any(LocalRegistry.IsMadeOf) ? kept : LocalRegistry.Build(snapshot);
            var push = new PushContext(snapshot, registry, _mesh, version,
                _time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) + "/" + version.ToString(CultureInfo.InvariantCulture),
                previous, kinds)
            {
                Jwks = _jwks,
            };
            _metrics.Services.Set(push.Registry.Services.Count);
            _metrics.VirtualServices.Set(push.VirtualServices.All.Count);
            foreach (var kind in changed.Select(k => k.Kind).Distinct())
            {
                _metrics.PushTriggers.WithLabels("config").Inc();
                _ = kind;
            }

            _xds.Push(push);
            LogPushed(_log, version, changed.Count, push.Registry.Services.Count, _xds.Connections.Count);
            Pushed?.Invoke(push);
        }

        return changed;
    }

    private void Report(ConfigSnapshot snapshot)
    {
        var now = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rejection in snapshot.Rejections)
        {
            foreach (var error in rejection.Errors)
            {
                var line = error.ToString();
                now.Add(line);
                if (!_reported.Contains(line))
                {
                    LogRejected(_log, line, rejection.KeptLastGood ? "; the last valid version stays in force" : string.Empty);
                }
            }
        }

        _metrics.ConfigRejections.WithLabels("invalid").Set(snapshot.Rejections.Count);
        _reported = now;
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _debouncer.Dispose();
    }

    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "config rejected: {Error}{Kept}")]
    private static partial void LogRejected(ILogger log, string error, string kept);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information, Message = "push {Version}: {Changed} resource(s) changed, {Services} service(s), {Proxies} proxy connection(s)")]
    private static partial void LogPushed(ILogger log, long version, int changed, int services, int proxies);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "push {Version}: {Reason} changed")]
    private static partial void LogRepushed(ILogger log, long version, string reason);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "config reload failed: {Message}")]
    private static partial void LogReloadFailed(ILogger log, string message);
}
