using System.Collections.Concurrent;
using System.Diagnostics;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Upstream;

namespace Weft.Proxy.Http;

/// <summary>
/// One pooled HTTP client (a <see cref="SocketsHttpHandler"/>) per cluster, kept across snapshots while the cluster's
/// connection settings stay equal, so a routing change does not drop warm connections. A client whose cluster changed or
/// disappeared is retired and disposed once the requests that hold it have finished. Each client counts its
/// connections, in all and per host, for the circuit breakers and the admin API; connections live at most the
/// cluster's maximum connection duration and carry at most its requests per connection (HTTP/1.1), or its maximum
/// of concurrent streams (HTTP/2, <see cref="Http2StreamLimit"/>), and HTTP/2 ones are pinged as its keepalive says. Requests whose
/// connections must come from their client's own address (original_src) get a client per cluster and source, as Envoy
/// keeps a pool per source; those share the cluster's connection counts and go once unused for the cluster's idle timeout.
/// </summary>
internal sealed class UpstreamTransports(Tls.TlsOrigination? tls = null) : IDisposable
{
    /// <summary>The endpoint a request goes to, set on the request so a new connection can pick the endpoint's transport socket.</summary>
    public static readonly HttpRequestOptionsKey<UpstreamHost> HostOption = new("weft.upstream-host");

    /// <summary>Istio's ALPN override of the connection manager a request came through, for a new TLS connection's ALPN.</summary>
    public static readonly HttpRequestOptionsKey<Snapshot.Filters.AlpnOverrides> AlpnOption = new("weft.alpn-override");

    // By cluster name, and source address for the clients of original_src requests (none for the cluster's own).
    private readonly ConcurrentDictionary<(string Cluster, Listeners.OriginalSource? Source), Transport> _clients = new();
    private long _sweptAt = Environment.TickCount64;

    /// <summary>The client for a cluster, held until the returned lease is disposed.</summary>
    public Lease Acquire(ClusterModel cluster) => Acquire(cluster, null);

    /// <summary>The client for a cluster whose connections come from <paramref name="source"/>; the cluster's own when null.</summary>
    public Lease Acquire(ClusterModel cluster, Listeners.OriginalSource? source)
    {
        if (source is not null)
        {
            SweepSourced();
        }

        var key = (cluster.Name, source);
        while (true)
        {
            var transport = _clients.GetOrAdd(key, static (_, args) => args.Owner.Create(args.Cluster, args.Source), (Owner: this, Cluster: cluster, Source: source));
            if (transport.Settings != cluster.Connection)
            {
                var replacement = Create(cluster, source);
                if (_clients.TryUpdate(key, replacement, transport))
                {
                    transport.Retire();
                }
                else
                {
                    replacement.Retire();
                }

                continue;
            }

            if (transport.TryAcquire())
            {
                return new Lease(transport);
            }
        }
    }

    /// <summary>A client for the cluster; one for a source counts its connections with the cluster's own client.</summary>
    private Transport Create(ClusterModel cluster, Listeners.OriginalSource? source)
    {
        if (source is null)
        {
            return new Transport(cluster.Name, cluster.Connection, tls, null, null);
        }

        using var own = Acquire(cluster);
        return new Transport(cluster.Name, cluster.Connection, tls, source, own.Connections);
    }

    /// <summary>At most once a minute: retires the source clients not used for their cluster's idle timeout.</summary>
    private void SweepSourced()
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref _sweptAt);
        if (now - last >= 60_000 && Interlocked.CompareExchange(ref _sweptAt, now, last) == last)
        {
            RetireWhere((key, transport) => key.Source is not null && transport.IdleFor(now));
        }
    }

    /// <summary>Retires the clients of clusters that are gone.</summary>
    public void Keep(IReadOnlySet<string> clusters) => RetireWhere((key, _) => !clusters.Contains(key.Cluster));

    private void RetireWhere(Func<(string Cluster, Listeners.OriginalSource? Source), Transport, bool> gone)
    {
        foreach (var (key, transport) in _clients)
        {
            if (gone(key, transport) && _clients.TryRemove(new KeyValuePair<(string, Listeners.OriginalSource?), Transport>(key, transport)))
            {
                transport.Retire();
            }
        }
    }

    /// <summary>The connection counts of a cluster's current client; null when it has none yet.</summary>
    public ConnectionCounter? Connections(string cluster) => _clients.TryGetValue((cluster, null), out var transport) ? transport.Connections : null;

    public void Dispose()
    {
        RetireWhere((_, _) => true);
    }

    /// <summary>A held client; disposing it lets a retired client go.</summary>
    public readonly struct Lease(Transport transport) : IDisposable
    {
        public HttpMessageInvoker Invoker => transport.Invoker;

        public ConnectionCounter Connections => transport.Connections;

        /// <summary>The identities of the TLS connections to an endpoint (<c>host:port</c>); null when plaintext or not yet connected.</summary>
        public Tls.UpstreamTlsPeer? PeerOf(string authority) => transport.PeerOf(authority);

        public void Dispose() => transport.Release();
    }

    internal sealed class Transport
    {
        private int _leases;
        private int _retired;
        private int _disposed;

        private readonly string _cluster;
        private readonly Tls.TlsOrigination? _tls;
        private readonly Listeners.OriginalSource? _source;
        private long _usedAt = Environment.TickCount64;

        // Per endpoint, the identities its TLS connections showed: every connection to an endpoint meets the same
        // workload, so a request reads them here rather than from the pooled connection it happened to use.
        private readonly ConcurrentDictionary<string, Tls.UpstreamTlsPeer> _peers = new(StringComparer.Ordinal);

        public Transport(string cluster, ConnectionSettings settings, Tls.TlsOrigination? tls, Listeners.OriginalSource? source, ConnectionCounter? connections)
        {
            _cluster = cluster;
            _tls = tls;
            _source = source;
            Connections = connections ?? new();
            Settings = settings;
            var handler = new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                UseCookies = false,
                EnableMultipleHttp2Connections = true,
                ActivityHeadersPropagator = DistributedContextPropagator.CreateNoOutputPropagator(),
                ConnectTimeout = settings.ConnectTimeout > TimeSpan.Zero ? settings.ConnectTimeout : Timeout.InfiniteTimeSpan,
                PooledConnectionIdleTimeout = settings.IdleTimeout,
                PooledConnectionLifetime = settings.MaxConnectionDuration,
                ConnectCallback = ConnectAsync,
            };
            if (settings.Http2.PingInterval != Timeout.InfiniteTimeSpan)
            {
                // Envoy's connection_keepalive pings whether or not requests are in flight.
                handler.KeepAlivePingDelay = settings.Http2.PingInterval;
                handler.KeepAlivePingTimeout = settings.Http2.PingTimeout;
                handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always;
            }

            Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        }

        public ConnectionSettings Settings { get; }

        public ConnectionCounter Connections { get; }

        public HttpMessageInvoker Invoker { get; }

        public Tls.UpstreamTlsPeer? PeerOf(string authority) => _peers.IsEmpty ? null : _peers.GetValueOrDefault(authority);

        /// <summary>Whether nothing has used it for the cluster's idle timeout (an hour when it has none).</summary>
        public bool IdleFor(long now) =>
            Volatile.Read(ref _leases) == 0
            && now - Interlocked.Read(ref _usedAt) > (Settings.IdleTimeout > TimeSpan.Zero && Settings.IdleTimeout != Timeout.InfiniteTimeSpan ? (long)Settings.IdleTimeout.TotalMilliseconds : 3_600_000);

        public bool TryAcquire()
        {
            if (_source is not null)
            {
                Interlocked.Exchange(ref _usedAt, Environment.TickCount64);
            }

            Interlocked.Increment(ref _leases);
            if (Volatile.Read(ref _retired) == 0)
            {
                return true;
            }

            Release();
            return false;
        }

        public void Release()
        {
            if (_source is not null)
            {
                // A long stream's end counts as use: its connection stays warm for the idle timeout from here.
                Interlocked.Exchange(ref _usedAt, Environment.TickCount64);
            }

            if (Interlocked.Decrement(ref _leases) == 0 && Volatile.Read(ref _retired) != 0)
            {
                DisposeOnce();
            }
        }

        public void Retire()
        {
            Interlocked.Exchange(ref _retired, 1);
            if (Volatile.Read(ref _leases) == 0)
            {
                DisposeOnce();
            }
        }

        private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancel)
        {
            var target = context.DnsEndPoint;
            var authority = HostPort.Join(target.Host.Trim('[', ']'), target.Port);
            var host = Connections.Opening(authority);
            try
            {
                var stream = await UpstreamConnector.ConnectAsync(Settings, target, _source, cancel).ConfigureAwait(false);
                if (Settings.Transport.Any)
                {
                    // TLS below the pool: the handler speaks plain HTTP/1.1 or prior-knowledge h2 over the TLS stream,
                    // so one cluster can reach mTLS and plaintext endpoints alike.
                    var request = context.InitialRequestMessage;
                    request.Options.TryGetValue(HostOption, out var endpoint);
                    var secrets = _tls?.Secrets ?? throw new InvalidOperationException("upstream TLS is not set up in this proxy");
                    if (Settings.Transport.Select(endpoint, secrets) is { } settings)
                    {
                        // The connection carries the version of the request that opened it (the pool keeps h2 and
                        // HTTP/1.1 connections apart), so the override for that version holds for its whole life.
                        if (request.Options.TryGetValue(AlpnOption, out var alpn) && alpn.For(request.Version) is { } protocols)
                        {
                            settings = settings with { Alpn = protocols };
                        }

                        var ssl = await _tls.HandshakeAsync(stream, settings, _cluster, authority, request.Headers.Host, cancel).ConfigureAwait(false);
                        var peer = Tls.UpstreamTlsPeer.Of(ssl);
                        if (!_peers.TryGetValue(authority, out var known) || known != peer)
                        {
                            _peers[authority] = peer;
                        }

                        stream = ssl;
                    }
                    else
                    {
                        _peers.TryRemove(authority, out _);
                    }
                }

                if (Settings.Http2.MaxConcurrentStreams > 0 && context.InitialRequestMessage.Version == System.Net.HttpVersion.Version20)
                {
                    stream = new Http2StreamLimit(stream, Settings.Http2.MaxConcurrentStreams);
                }

                return new CountedConnection(stream, Connections, host, Settings.MaxRequestsPerConnection);
            }
            catch
            {
                Connections.Failed(host);
                throw;
            }
        }

        private void DisposeOnce()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Invoker.Dispose();
            }
        }
    }
}
