using Weft.Proxy.Xds;

namespace Weft.Proxy.Snapshot;

/// <summary>
/// The snapshot in force, swapped atomically; the latest xDS configuration (complete or not) and what it still lacks.
/// Ready once the first complete configuration has been compiled.
/// </summary>
internal sealed class SnapshotState
{
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ProxySnapshot? _current;
    private XdsConfig _latest = XdsConfig.Empty;
    private IReadOnlyList<string> _missing = XdsConfig.Empty.Missing();

    /// <summary>Raised after a new snapshot is in force.</summary>
    public event Action<ProxySnapshot>? Published;

    public ProxySnapshot? Current => Volatile.Read(ref _current);

    public XdsConfig Latest => Volatile.Read(ref _latest);

    /// <summary>Why the proxy is not ready (empty once it is).</summary>
    public IReadOnlyList<string> Missing => Volatile.Read(ref _missing);

    public bool IsReady => Current is not null;

    /// <summary>Completes when the first snapshot is in force.</summary>
    public Task Ready => _ready.Task;

    public void Observe(XdsConfig config, IReadOnlyList<string> missing)
    {
        Volatile.Write(ref _latest, config);
        if (Current is null)
        {
            Volatile.Write(ref _missing, missing);
        }
    }

    public void Publish(ProxySnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        Volatile.Write(ref _missing, []);
        _ready.TrySetResult();
        Published?.Invoke(snapshot);
    }
}
