using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Upstream;

namespace Weft.Proxy.Tcp;

/// <summary>
/// Envoy's <c>tcp_proxy</c> for one connection: draw the cluster (weighted clusters per connection), pick the upstream
/// host with the cluster's load balancer (an ORIGINAL_DST cluster takes the connection's original destination; a
/// cluster without hosts, as BlackHoleCluster, has none), connect within the cluster's connect timeout (up to
/// <c>max_connect_attempts</c> hosts), then copy bytes both ways until both sides have finished. Upstream connections
/// count in the cluster's connection pool counters, the ones its HTTP requests use, so the cluster's
/// <c>max_connections</c> circuit breaker covers both: at the limit a new connection is closed without connecting (UO).
/// Each attempt's outcome goes to the cluster's outlier detection, so a host that refuses connections is ejected. A FIN from one side is
/// passed on as a FIN and the other direction keeps flowing; an error on either side closes both; so does the idle
/// timeout (no bytes either way) and the maximum connection duration, both on the proxy's clock. A connection that
/// cannot be proxied is closed.
/// </summary>
/// <remarks>
/// Istio's TCP metadata exchange (<paramref name="exchange"/>) runs on a connection whose chain (with the client) or
/// cluster (with the upstream) has the <c>istio.metadata_exchange</c> filter and whose TLS negotiated its ALPN: this
/// proxy's frame goes first on that side, the peer's is read off the start of what it sends, and the connection counts
/// as opened in the metrics once the peer is known (or known to be silent on it), so its series carry the peer's labels.
/// </remarks>
internal sealed partial class TcpProxy(TimeProvider time, Func<ulong> random, ProxyEndpoints endpoints, UpstreamTransports transports, TcpConnectionEvents events, ILogger<TcpProxy> log, Tls.TlsOrigination? tls = null, Telemetry.TcpPeerExchange? exchange = null)
{
    private const int ReadSize = 32 * 1024;

    /// <summary>Where the TCP path reports connections (telemetry and access logs).</summary>
    public TcpConnectionEvents Events => events;

    /// <param name="destination">The connection's original destination, for ORIGINAL_DST clusters; null when unknown.</param>
    /// <param name="source">The client's address to connect upstream from (original_src); null for the cluster's own.</param>
    /// <param name="exchangeWithClient">Whether the chain's metadata exchange runs with the client (its filter is there and TLS negotiated its ALPN).</param>
    public async Task ProxyAsync(ConnectionContext downstream, ProxySnapshot snapshot, TcpProxyModel proxy, TcpConnectionRecord record, LocalDestination? destination, Listeners.OriginalSource? source = null, bool exchangeWithClient = false)
    {
        record.Cluster = proxy.PickCluster(random());
        var upstream = await ConnectAsync(snapshot, proxy, record, destination, source).ConfigureAwait(false);
        var withClient = exchangeWithClient && exchange is not null && upstream is not null;
        var withUpstream = upstream?.PeerExchange == true;
        var opening = new Opening(events, record, (withClient ? 1 : 0) + (withUpstream ? 1 : 0));
        try
        {
            if (downstream.Features.Get<Listeners.ConnectTunnel>() is { } tunnel)
            {
                // An explicit CONNECT is answered now that the upstream is settled, as Envoy's router answers one.
                if (upstream is null)
                {
                    await Refuse(tunnel, record).ConfigureAwait(false);
                }
                else
                {
                    await tunnel.OpenAsync().ConfigureAwait(false);
                }
            }

            if (upstream is not null)
            {
                await PumpAsync(downstream, upstream, proxy, record, new PeerExchanges(exchange, withClient, withUpstream, opening)).ConfigureAwait(false);
            }
        }
        finally
        {
            upstream?.Dispose();

            // A connection that ended before its peer spoke still counts as opened, once.
            opening.Open();
            record.Duration = time.GetUtcNow() - record.StartTime;
            events.Closed(record);
        }
    }

    /// <summary>Counts the connection as opened once every exchange it waits for has settled (at once when none).</summary>
    private sealed class Opening
    {
        private readonly TcpConnectionEvents _events;
        private readonly TcpConnectionRecord _record;
        private int _pending;
        private int _opened;

        public Opening(TcpConnectionEvents events, TcpConnectionRecord record, int pending)
        {
            _events = events;
            _record = record;
            _pending = pending;
            if (pending == 0)
            {
                Open();
            }
        }

        /// <summary>One exchange has settled (its peer read, or none coming).</summary>
        public void Settled()
        {
            if (Interlocked.Decrement(ref _pending) == 0)
            {
                Open();
            }
        }

        public void Open()
        {
            if (Interlocked.Exchange(ref _opened, 1) == 0)
            {
                _events.Opened(_record);
            }
        }
    }

    /// <summary>Which sides of a connection exchange metadata, with the frame to send and where to report.</summary>
    private sealed record PeerExchanges(Telemetry.TcpPeerExchange? Exchange, bool WithClient, bool WithUpstream, Opening Opening);

    private async Task<UpstreamLink?> ConnectAsync(ProxySnapshot snapshot, TcpProxyModel proxy, TcpConnectionRecord record, LocalDestination? destination, Listeners.OriginalSource? source)
    {
        if (!snapshot.Clusters.TryGetValue(record.Cluster, out var cluster))
        {
            record.Flags = ResponseFlags.NoClusterFound;
            LogNoCluster(log, record.Listener, record.FilterChain, record.Cluster);
            return null;
        }

        record.ClusterModel = cluster.Model;
        if (cluster.Model.Unsupported is { } unsupported)
        {
            record.Flags = ResponseFlags.UpstreamConnectionFailure;
            LogUnsupportedCluster(log, unsupported);
            return null;
        }

        // The cluster's pool counters are held for as long as the connection is open.
        var lease = transports.Acquire(cluster.Model);
        var link = await AttemptAsync(cluster, lease.Connections, proxy, record, destination, source).ConfigureAwait(false);
        if (link is null)
        {
            lease.Dispose();
            return null;
        }

        link.OnDispose(lease.Dispose);
        return link;
    }

    private async Task<UpstreamLink?> AttemptAsync(ClusterRuntime cluster, ConnectionCounter connections, TcpProxyModel proxy, TcpConnectionRecord record, LocalDestination? destination, Listeners.OriginalSource? source)
    {
        var settings = cluster.Model.Connection;
        for (var attempt = 1; attempt <= proxy.MaxConnectAttempts; attempt++)
        {
            if (!cluster.State.CanOpenConnection(connections))
            {
                cluster.State.CountConnectionOverflow();
                record.Flags = attempt == 1 ? ResponseFlags.UpstreamOverflow : ResponseFlags.UpstreamConnectionFailure + "," + ResponseFlags.UpstreamOverflow;
                LogOverflow(log, record.Listener, record.Cluster, cluster.State.Limits.MaxConnections);
                return null;
            }

            if (Target(cluster, destination, record, out var endpoint) is not { } target)
            {
                record.Flags = ResponseFlags.NoHealthyUpstream;
                return null;
            }

            var authority = HostPort.Join(target.Host, target.Port);
            if (endpoints.IsOwnListener(authority))
            {
                record.Flags = ResponseFlags.UpstreamConnectionFailure;
                LogLoop(log, record.Listener, authority);
                return null;
            }

            // The client may already have finished sending (its FIN is passed on once connected), so only the
            // connect timeout ends the attempt.
            record.ConnectAttempts = attempt;
            var counted = connections.Opening(authority, opaque: true);
            using var deadline = settings.ConnectTimeout > TimeSpan.Zero ? new CancellationTokenSource(settings.ConnectTimeout, time) : new CancellationTokenSource();
            Socket? socket = null;
            try
            {
                socket = await UpstreamConnector.ConnectSocketAsync(settings, target, source, deadline.Token).ConfigureAwait(false);
                System.Net.Security.SslStream? secure = null;
                if (settings.Transport.Any && tls is not null && settings.Transport.Select(record.Upstream, tls.Secrets) is { } tlsSettings)
                {
                    secure = await tls.HandshakeAsync(new NetworkStream(socket, ownsSocket: true), tlsSettings, record.Cluster, authority, null, deadline.Token).ConfigureAwait(false);
                }

                record.UpstreamHost = record.Upstream?.Display ?? authority;
                Report(cluster, endpoint, UpstreamResult.ConnectSucceeded);
                if (record.Direction != Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound)
                {
                    // The client side reports the principals of the upstream connection (unknown over plaintext), as Istio's.
                    var peer = secure is null ? null : Tls.UpstreamTlsPeer.Of(secure);
                    record.SourcePrincipal = peer?.LocalPrincipal ?? string.Empty;
                    record.DestinationPrincipal = peer?.PeerPrincipal ?? string.Empty;
                }

                // Istio's metadata exchange with the upstream, where the cluster has its filter and TLS agreed on its protocol.
                var link = new UpstreamLink(socket, secure)
                {
                    PeerExchange = exchange is not null && secure is not null && cluster.Model.PeerExchange is { } protocol
                        && secure.NegotiatedApplicationProtocol.ToString() == protocol,
                };
                link.OnDispose(() => connections.Closed(counted, opaque: true));
                return link;
            }
            catch (Tls.UpstreamTlsException e)
            {
                // Envoy does not try another host after a TLS failure: the connection is closed.
                socket?.Dispose();
                connections.Failed(counted, opaque: true);
                LogConnectFailed(log, authority, record.Cluster, attempt, e.Message);
                record.Flags = ResponseFlags.UpstreamConnectionFailure;
                return null;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket?.Dispose();
                connections.Failed(counted, opaque: true);
                var timedOut = deadline.IsCancellationRequested || e is SocketException { SocketErrorCode: SocketError.TimedOut };
                record.ConnectFailure = timedOut ? "connection timeout" : "connection failure";
                Report(cluster, endpoint, timedOut ? UpstreamResult.Timeout : UpstreamResult.ConnectFailed);
                LogConnectFailed(log, authority, record.Cluster, attempt, e.Message);
            }
        }

        record.Flags = ResponseFlags.UpstreamConnectionFailure + ",URX";
        return null;
    }

    /// <summary>
    /// Envoy's local reply for a CONNECT whose upstream could not be had: 503 with the body its router gives for no
    /// cluster (none), no healthy host, a circuit breaker's overflow, or a connect failure or timeout (both UF).
    /// </summary>
    private static ValueTask Refuse(Listeners.ConnectTunnel tunnel, TcpConnectionRecord record)
    {
        var flags = record.Flags;
        if (flags == ResponseFlags.NoClusterFound)
        {
            return tunnel.RefuseAsync(503, "Service Unavailable", string.Empty);
        }

        if (flags == ResponseFlags.NoHealthyUpstream)
        {
            return tunnel.RefuseAsync(503, "Service Unavailable", "no healthy upstream");
        }

        if (flags.EndsWith(ResponseFlags.UpstreamOverflow, StringComparison.Ordinal))
        {
            return tunnel.RefuseAsync(503, "Service Unavailable", LocalReplies.Overflow, overloaded: true);
        }

        var retried = flags.Contains("URX", StringComparison.Ordinal) && record.ConnectAttempts > 1;
        return tunnel.RefuseAsync(503, "Service Unavailable", LocalReplies.UpstreamReset(retried, record.ConnectFailure ?? "connection failure"));
    }

    /// <summary>
    /// Where to connect: the balancer's host (also in <paramref name="endpoint"/>), or for ORIGINAL_DST the original
    /// destination (with the port override; no endpoint).
    /// </summary>
    private DnsEndPoint? Target(ClusterRuntime cluster, LocalDestination? destination, TcpConnectionRecord record, out UpstreamEndpoint? endpoint)
    {
        endpoint = null;
        if (cluster.Model.Kind == DiscoveryKind.OriginalDst)
        {
            return destination is null ? null : new DnsEndPoint(destination.Host, cluster.Model.UpstreamPortOverride ?? destination.Port);
        }

        endpoint = cluster.Balancer.Pick(random());
        record.Upstream = endpoint?.Host;
        return record.Upstream is { } host ? new DnsEndPoint(host.Address, host.Port) : null;
    }

    /// <summary>
    /// Tells the cluster's outlier detection how connecting to a host ended, as Envoy's tcp_proxy does: opened
    /// (LOCAL_ORIGIN_CONNECT_SUCCESS_FINAL), refused or failed (LOCAL_ORIGIN_CONNECT_FAILED), or timed out
    /// (LOCAL_ORIGIN_TIMEOUT). A TLS handshake failure is not reported (Envoy closes such a connection locally, which
    /// its tcp_proxy does not report either).
    /// </summary>
    private static void Report(ClusterRuntime cluster, UpstreamEndpoint? endpoint, UpstreamResult result)
    {
        if (endpoint is not null)
        {
            cluster.State.ReportConnect(endpoint, result);
        }
    }

    private async Task PumpAsync(ConnectionContext downstream, UpstreamLink upstream, TcpProxyModel proxy, TcpConnectionRecord record, PeerExchanges exchanges)
    {
        using var session = new Session(downstream, upstream, time, record, proxy.IdleTimeout, exchanges);
        using var lifetime = proxy.MaxConnectionDuration is { } max ? time.CreateTimer(static s => ((Session)s!).Expire(), session, max, Timeout.InfiniteTimeSpan) : null;
        if (await session.SendFramesAsync().ConfigureAwait(false))
        {
            await Task.WhenAll(session.UpstreamAsync(), session.DownstreamAsync()).ConfigureAwait(false);
        }

        if (session.Expired)
        {
            record.Flags = "DT";
        }
    }

    /// <summary>The two copy loops of one connection and what ends them.</summary>
    private sealed class Session : IDisposable
    {
        private readonly ConnectionContext _downstream;
        private readonly UpstreamLink _upstream;
        private readonly TimeProvider _time;
        private readonly TcpConnectionRecord _record;
        private readonly TimeSpan _idleTimeout;
        private readonly ITimer? _idle;
        private readonly CancellationTokenSource _abort = new();
        private readonly DownstreamWriter _client;
        private readonly PeerExchanges _exchanges;
        private long _lastActivity;
        private int _aborted;

        public Session(ConnectionContext downstream, UpstreamLink upstream, TimeProvider time, TcpConnectionRecord record, TimeSpan idleTimeout, PeerExchanges exchanges)
        {
            _exchanges = exchanges;
            _downstream = downstream;
            _upstream = upstream;
            _time = time;
            _record = record;
            _client = new DownstreamWriter(downstream);
            _lastActivity = time.GetTimestamp();
            _idleTimeout = idleTimeout;
            if (idleTimeout != Timeout.InfiniteTimeSpan)
            {
                // Armed only once the field is set, so the callback always finds it.
                _idle = time.CreateTimer(static s => ((Session)s!).CheckIdle(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                _idle.Change(idleTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        public bool Expired { get; private set; }

        /// <summary>
        /// This proxy's metadata frame to each side it exchanges with, before any proxied byte (the peer reads it off the
        /// start of its stream). False when a side could not be written to: the connection is closed.
        /// </summary>
        public async Task<bool> SendFramesAsync()
        {
            if (_exchanges.Exchange is not { } exchange)
            {
                return true;
            }

            try
            {
                if (_exchanges.WithClient)
                {
                    await _client.SendAsync(exchange.LocalFrame, _abort.Token).ConfigureAwait(false);
                }

                if (_exchanges.WithUpstream)
                {
                    await _upstream.SendAsync(exchange.LocalFrame, _abort.Token).ConfigureAwait(false);
                }

                return true;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Abort();
                return false;
            }
        }

        /// <summary>Client to upstream; the client's FIN becomes a FIN upstream.</summary>
        public async Task UpstreamAsync()
        {
            var input = _downstream.Transport.Input;
            try
            {
                if (_exchanges.WithClient && !await ReadClientFrameAsync(input).ConfigureAwait(false))
                {
                    Abort();
                    return;
                }

                while (true)
                {
                    var read = await input.ReadAsync(_abort.Token).ConfigureAwait(false);
                    var buffer = read.Buffer;
                    foreach (var segment in buffer)
                    {
                        await _upstream.SendAsync(segment, _abort.Token).ConfigureAwait(false);
                    }

                    if (!buffer.IsEmpty)
                    {
                        _record.AddReceived(buffer.Length);
                        Touch();
                    }

                    input.AdvanceTo(buffer.End);
                    if (read.IsCompleted || read.IsCanceled)
                    {
                        break;
                    }
                }

                await _upstream.ShutdownSendAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Abort();
            }
        }

        /// <summary>
        /// The client's metadata frame, off the start of its bytes: the peer is set on the record, and the connection
        /// counts as opened. Bytes that are not a frame stay for the proxy to pass on; false for a frame this proxy
        /// refuses (too long, or not a Struct), which closes the connection.
        /// </summary>
        private async Task<bool> ReadClientFrameAsync(System.IO.Pipelines.PipeReader input)
        {
            try
            {
                while (true)
                {
                    var read = await input.ReadAsync(_abort.Token).ConfigureAwait(false);
                    var buffer = read.Buffer;
                    switch (Telemetry.TcpPeerExchange.TryRead(buffer, out var consumed, out var peer))
                    {
                        case Telemetry.PeerFrame.Read:
                            _record.DownstreamPeer = peer;
                            input.AdvanceTo(buffer.GetPosition(consumed));
                            return true;
                        case Telemetry.PeerFrame.Invalid:
                            input.AdvanceTo(buffer.Start);
                            return false;
                        case Telemetry.PeerFrame.NeedMore when !read.IsCompleted && !read.IsCanceled:
                            input.AdvanceTo(buffer.Start, buffer.End);
                            continue;
                        default:
                            // Not a frame, or the client finished before one: its bytes are its own.
                            input.AdvanceTo(buffer.Start);
                            return true;
                    }
                }
            }
            finally
            {
                _exchanges.Opening.Settled();
            }
        }

        /// <summary>
        /// The upstream's metadata frame, off the start of its bytes: the peer is set on the record, and the connection
        /// counts as opened. Whatever follows the frame (or all of it, when the bytes are not a frame) goes to the client;
        /// false when the upstream finished meanwhile (its FIN has gone on to the client) or sent a frame this proxy
        /// refuses (the connection is closed).
        /// </summary>
        private async Task<bool> ReadUpstreamFrameAsync()
        {
            var buffer = ArrayPool<byte>.Shared.Rent(Telemetry.TcpPeerExchange.HeaderLength + Telemetry.TcpPeerExchange.MaxPayload);
            try
            {
                var have = 0;
                long consumed;
                Telemetry.PeerFrame outcome;
                Telemetry.WorkloadMetadata? peer;
                var finished = false;
                while (true)
                {
                    var read = await _upstream.ReceiveAsync(buffer.AsMemory(have), _abort.Token).ConfigureAwait(false);
                    finished = read == 0;
                    have += read;
                    outcome = Telemetry.TcpPeerExchange.TryRead(new System.Buffers.ReadOnlySequence<byte>(buffer, 0, have), out consumed, out peer);
                    if (outcome != Telemetry.PeerFrame.NeedMore || finished)
                    {
                        break;
                    }
                }

                var start = 0;
                if (outcome == Telemetry.PeerFrame.Read)
                {
                    _record.UpstreamPeer = peer;
                    start = (int)consumed;
                }

                _exchanges.Opening.Settled();
                if (outcome == Telemetry.PeerFrame.Invalid)
                {
                    Abort();
                    return false;
                }

                if (have > start)
                {
                    _record.AddSent(have - start);
                    Touch();
                    await _client.SendAsync(buffer.AsMemory(start, have - start), _abort.Token).ConfigureAwait(false);
                }

                if (finished)
                {
                    await _client.ShutdownSendAsync().ConfigureAwait(false);
                    return false;
                }

                return true;
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        /// <summary>
        /// Upstream to client; the upstream's FIN becomes a FIN to the client. A buffer is held only while bytes are
        /// there to move (a zero-byte read waits for them), so an idle connection costs no buffer.
        /// </summary>
        public async Task DownstreamAsync()
        {
            try
            {
                if (_exchanges.WithUpstream && !await ReadUpstreamFrameAsync().ConfigureAwait(false))
                {
                    return;
                }

                while (true)
                {
                    await _upstream.ReceiveAsync(Memory<byte>.Empty, _abort.Token).ConfigureAwait(false);
                    var buffer = ArrayPool<byte>.Shared.Rent(ReadSize);
                    try
                    {
                        var read = await _upstream.ReceiveAsync(buffer.AsMemory(), _abort.Token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        _record.AddSent(read);
                        Touch();
                        await _client.SendAsync(buffer.AsMemory(0, read), _abort.Token).ConfigureAwait(false);
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }
                }

                await _client.ShutdownSendAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Abort();
            }
        }

        /// <summary>The idle timer fired: close if nothing moved for the whole timeout, else wait for the rest of it.</summary>
        private void CheckIdle()
        {
            var quiet = _time.GetElapsedTime(Volatile.Read(ref _lastActivity));
            if (quiet >= _idleTimeout)
            {
                Abort();
                return;
            }

            try
            {
                _idle?.Change(_idleTimeout - quiet, Timeout.InfiniteTimeSpan);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Expire()
        {
            Expired = true;
            Abort();
        }

        public void Dispose()
        {
            // Both loops are done: a timer that fires now has nothing left to close.
            Interlocked.Exchange(ref _aborted, 1);
            _idle?.Dispose();
            _abort.Dispose();
        }

        private void Touch() => Volatile.Write(ref _lastActivity, _time.GetTimestamp());

        /// <summary>Closes both sides and stops both loops.</summary>
        private void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) != 0)
            {
                return;
            }

            try
            {
                _abort.Cancel();
            }
            catch (ObjectDisposedException)
            {
                return;
            }

            _upstream.Dispose();
            _downstream.Abort(new ConnectionAbortedException("the TCP proxy closed the connection"));
        }
    }

    [LoggerMessage(EventId = 502, Level = LogLevel.Warning, Message = "listener {Listener} chain {Chain} proxies TCP to the cluster {Cluster}, which the control plane did not send: connection closed")]
    private static partial void LogNoCluster(ILogger log, string listener, string chain, string cluster);

    [LoggerMessage(EventId = 503, Level = LogLevel.Warning, Message = "TCP connection closed: {Reason}")]
    private static partial void LogUnsupportedCluster(ILogger log, string reason);

    [LoggerMessage(EventId = 504, Level = LogLevel.Warning, Message = "listener {Listener}: {Upstream} is this proxy's own listener; proxying there would loop, connection closed")]
    private static partial void LogLoop(ILogger log, string listener, string upstream);

    [LoggerMessage(EventId = 506, Level = LogLevel.Debug, Message = "listener {Listener}: cluster {Cluster} has its maximum of {Max} upstream connections open (max_connections); connection closed")]
    private static partial void LogOverflow(ILogger log, string listener, string cluster, long max);

    [LoggerMessage(EventId = 505, Level = LogLevel.Debug, Message = "could not connect to {Upstream} (cluster {Cluster}, attempt {Attempt}): {Reason}")]
    private static partial void LogConnectFailed(ILogger log, string upstream, string cluster, int attempt, string reason);
}
