using System.Collections.Concurrent;

namespace Weft.Proxy.Upstream;

/// <summary>
/// The upstream connections of one connection pool, in all and per host (<c>HOST:PORT</c>): open now (connecting
/// included, as Envoy counts them against <c>max_connections</c>), opened in all, and failed to connect.
/// </summary>
internal sealed class ConnectionCounter
{
    private readonly ConcurrentDictionary<string, HostConnections> _byHost = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Connections open or being opened.</summary>
    public int Total => Volatile.Read(ref _total);

    public int Open(string authority) => _byHost.TryGetValue(authority, out var host) ? host.Active : 0;

    public HostConnections? Find(string authority) => _byHost.GetValueOrDefault(authority);

    /// <summary>A connection attempt starts; the returned counters are told how it ends.</summary>
    public HostConnections Opening(string authority)
    {
        var host = _byHost.GetOrAdd(authority, static _ => new HostConnections());
        Interlocked.Increment(ref _total);
        Interlocked.Increment(ref host.ActiveCount);
        Interlocked.Increment(ref host.TotalCount);
        return host;
    }

    public void Closed(HostConnections host)
    {
        Interlocked.Decrement(ref _total);
        Interlocked.Decrement(ref host.ActiveCount);
    }

    public void Failed(HostConnections host)
    {
        Closed(host);
        Interlocked.Increment(ref host.ConnectFailureCount);
    }

    /// <summary>One host's connection counters (Envoy's <c>cx_active</c>, <c>cx_total</c>, <c>cx_connect_fail</c>).</summary>
    internal sealed class HostConnections
    {
        internal int ActiveCount;
        internal long TotalCount;
        internal long ConnectFailureCount;

        public int Active => Volatile.Read(ref ActiveCount);

        public long Total => Interlocked.Read(ref TotalCount);

        public long ConnectFailures => Interlocked.Read(ref ConnectFailureCount);
    }
}
