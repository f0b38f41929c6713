using System.Collections.Concurrent;
using System.Globalization;
using Weft.Control.Model;

namespace Weft.Control.Xds;

/// <summary>
/// One ADS stream: the proxy on it, and per type what it subscribed to, was sent and acknowledged. Its state is written by
/// the stream's own loop only; <see cref="Snapshot"/> gives the debug API a consistent copy.
/// </summary>
public sealed class XdsConnection
{
    private static long _counter;
    private readonly object _gate = new();

    private readonly NameSet.Table? _names;

    public XdsConnection(ProxyNode proxy, string peer, bool delta, DateTimeOffset connectedAt, NameSet.Table? names = null)
    {
        _names = names;
        Proxy = proxy;
        Peer = peer;
        Delta = delta;
        ConnectedAt = connectedAt;
        Id = $"{proxy.Id}-{Interlocked.Increment(ref _counter).ToString(CultureInfo.InvariantCulture)}";
    }

    public string Id { get; }

    public ProxyNode Proxy { get; set; }

    public string Peer { get; }

    public bool Delta { get; }

    public DateTimeOffset ConnectedAt { get; }

    private int _unverifiedSecretsNoted;

    /// <summary>True the first time only: the stream asked for secrets it may not have.</summary>
    internal bool MarkUnverifiedSecretsNoted() => Interlocked.Exchange(ref _unverifiedSecretsNoted, 1) == 0;

    public ConcurrentDictionary<string, WatchedType> Watched { get; } = new(StringComparer.Ordinal);

    /// <summary>Signals the stream loop that a newer push context is waiting.</summary>
    public SemaphoreSlim PushSignal { get; } = new(0);

    private Push.PushContext? _pendingPush;
    private DateTimeOffset _pendingSince;

    public WatchedType Watch(string typeUrl) => Watched.GetOrAdd(typeUrl, t => new WatchedType(t, _names));

    /// <summary>Queues a push; only the newest is kept, so a slow stream skips intermediate versions.</summary>
    public void Enqueue(Push.PushContext push, DateTimeOffset triggeredAt)
    {
        lock (_gate)
        {
            if (_pendingPush is null)
            {
                _pendingSince = triggeredAt;
            }

            _pendingPush = push;
        }

        PushSignal.Release();
    }

    public (Push.PushContext? Push, DateTimeOffset Since) TakePush()
    {
        lock (_gate)
        {
            var taken = (_pendingPush, _pendingSince);
            _pendingPush = null;
            return taken;
        }
    }

    public ConnectionStatus Snapshot()
    {
        lock (_gate)
        {
            return new ConnectionStatus(Id, Proxy.Id, Peer, Delta ? "delta" : "sotw", ConnectedAt,
                Watched.Values.OrderBy(w => w.TypeUrl, StringComparer.Ordinal).Select(w => new TypeStatus(
                    Weft.Xds.TypeUrls.ShortName(w.TypeUrl), w.Wildcard, w.Names.Count, w.Held(Delta),
                    w.VersionSent, w.NonceSent, w.VersionAcked, w.NonceAcked, w.LastRejection)).ToArray());
        }
    }
}

/// <summary>What /debug/syncz shows for one connected proxy.</summary>
public sealed record ConnectionStatus(string ConnectionId, string ProxyId, string Peer, string Protocol, DateTimeOffset ConnectedAt, IReadOnlyList<TypeStatus> Types);

/// <summary>What was sent and acknowledged for one type.</summary>
public sealed record TypeStatus(string Type, bool Wildcard, int Subscribed, int Resources, string? VersionSent, string? NonceSent, string? VersionAcked, string? NonceAcked, Rejection? LastRejection);
