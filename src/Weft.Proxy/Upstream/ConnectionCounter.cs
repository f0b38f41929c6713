using System.Collections.Concurrent;

namespace Weft.Proxy.Upstream;

/// <summary>
/// The upstream connections of one cluster's connection pool, in all and per host (<c>HOST:PORT</c>): open now
/// (connecting included, as Envoy counts them against <c>max_connections</c>), opened in all, and failed to connect.
/// Besides the HTTP client's pooled connections it counts the TCP proxy's opaque ones, which take a place under
/// <c>max_connections</c> but never carry a request.
/// </summary>
internal sealed class ConnectionCounter
{
    private readonly ConcurrentDictionary<string, HostConnections> _byHost = new(StringComparer.Ordinal);
    private int _total;

    /// <summary>Connections open or being opened.</summary>
    public int Total => Volatile.Read(ref _total);

    /// <summary>Connections to a host open or being opened, pooled and opaque.</summary>
    public int Open(string authority) => _byHost.TryGetValue(authority, out var host) ? host.Active : 0;

    /// <summary>The HTTP client's connections to a host open or being opened (those that can carry a request).</summary>
    public int Pooled(string authority) => _byHost.TryGetValue(authority, out var host) ? host.Active - host.Opaque : 0;

    public HostConnections? Find(string authority) => _byHost.GetValueOrDefault(authority);

    /// <summary>
    /// A connection attempt starts; the returned counters are told how it ends, with the same
    /// <paramref name="opaque"/> (true for the TCP proxy's connections).
    /// </summary>
    public HostConnections Opening(string authority, bool opaque = false)
    {
        var host = _byHost.GetOrAdd(authority, static _ => new HostConnections());
        if (opaque)
        {
            Interlocked.Increment(ref host.OpaqueCount);
        }

        Interlocked.Increment(ref _total);
        Interlocked.Increment(ref host.ActiveCount);
        Interlocked.Increment(ref host.TotalCount);
        return host;
    }

    public void Closed(HostConnections host, bool opaque = false)
    {
        Interlocked.Decrement(ref _total);
        Interlocked.Decrement(ref host.ActiveCount);
        if (opaque)
        {
            Interlocked.Decrement(ref host.OpaqueCount);
        }
    }

    public void Failed(HostConnections host, bool opaque = false)
    {
        Closed(host, opaque);
        Interlocked.Increment(ref host.ConnectFailureCount);
    }

    /// <summary>One host's connection counters (Envoy's <c>cx_active</c>, <c>cx_total</c>, <c>cx_connect_fail</c>).</summary>
    internal sealed class HostConnections
    {
        internal int ActiveCount;
        internal int OpaqueCount;
        internal long TotalCount;
        internal long ConnectFailureCount;

        public int Active => Volatile.Read(ref ActiveCount);

        /// <summary>Of <see cref="Active"/>, the TCP proxy's connections.</summary>
        public int Opaque => Volatile.Read(ref OpaqueCount);

        public long Total => Interlocked.Read(ref TotalCount);

        public long ConnectFailures => Interlocked.Read(ref ConnectFailureCount);
    }
}
