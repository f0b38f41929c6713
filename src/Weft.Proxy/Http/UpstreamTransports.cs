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
/// cluster's maximum connection duration and carry at most its requests per connection (HTTP/1.1).
/// </summary>
internal sealed class UpstreamTransports(Tls.TlsOrigination? tls = null) : IDisposable
{
    /// <summary>The endpoint a request goes to, set on the request so a new connection can pick the endpoint's transport socket.</summary>
    public static readonly HttpRequestOptionsKey<UpstreamHost> HostOption = new("weft.upstream-host");

    /// <summary>Istio's ALPN override of the connection manager a request came through, for a new TLS connection's ALPN.</summary>
    public static readonly HttpRequestOptionsKey<Snapshot.Filters.AlpnOverrides> AlpnOption = new("weft.alpn-override");

    private readonly ConcurrentDictionary<string, Transport> _byCluster = new(StringComparer.Ordinal);

    /// <summary>The client for a cluster, held until the returned lease is disposed.</summary>
    public Lease Acquire(ClusterModel cluster)
    {
        while (true)
        {
            var transport = _byCluster.GetOrAdd(cluster.Name, static (name, args) => new Transport(name, args.Connection, args.tls), (cluster.Connection, tls));
            if (transport.Settings != cluster.Connection)
            {
                var replacement = new Transport(cluster.Name, cluster.Connection, tls);
                if (_byCluster.TryUpdate(cluster.Name, replacement, transport))
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

    /// <summary>Retires the clients of clusters that are gone.</summary>
    public void Keep(IReadOnlySet<string> clusters)
    {
        foreach (var (name, transport) in _byCluster)
        {
            if (!clusters.Contains(name) && _byCluster.TryRemove(new KeyValuePair<string, Transport>(name, transport)))
            {
                transport.Retire();
            }
        }
    }

    public int Count => _byCluster.Count;

    /// <summary>The connection counts of a cluster's current client; null when it has none yet.</summary>
    public ConnectionCounter? Connections(string cluster) => _byCluster.TryGetValue(cluster, out var transport) ? transport.Connections : null;

    public void Dispose()
    {
        foreach (var transport in _byCluster.Values)
        {
            transport.Retire();
        }

        _byCluster.Clear();
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

        // Per endpoint, the identities its TLS connections showed: every connection to an endpoint meets the same
        // workload, so a request reads them here rather than from the pooled connection it happened to use.
        private readonly ConcurrentDictionary<string, Tls.UpstreamTlsPeer> _peers = new(StringComparer.Ordinal);

        public Transport(string cluster, ConnectionSettings settings, Tls.TlsOrigination? tls)
        {
            _cluster = cluster;
            _tls = tls;
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
            Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
        }

        public ConnectionSettings Settings { get; }

        public ConnectionCounter Connections { get; } = new();

        public HttpMessageInvoker Invoker { get; }

        public Tls.UpstreamTlsPeer? PeerOf(string authority) => _peers.IsEmpty ? null : _peers.GetValueOrDefault(authority);

        public bool TryAcquire()
        {
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
                var stream = await UpstreamConnector.ConnectAsync(Settings, target, cancel).ConfigureAwait(false);
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
