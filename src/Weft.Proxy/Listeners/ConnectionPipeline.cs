using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Tcp;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Listeners;

/// <summary>
/// Connection middleware on the data-plane listeners, before Kestrel's HTTP server: everything Envoy's listener does
/// before a network filter runs. It finds the connection's destination (<c>SO_ORIGINAL_DST</c> for a captured one), the
/// listener that takes it (the per-port listener of that destination, else the capture listener itself), lets that
/// listener's inspectors read the first bytes, and picks the filter chain with those facts. An HTTP chain continues
/// into Kestrel's HTTP pipeline, which then serves every request of the connection with that chain; a TCP chain goes to
/// the TCP proxy; a connection no chain takes is closed.
/// <para>
/// In local mode nothing is captured and a client talks to the proxy itself: on the outbound listener plain HTTP is
/// routed per request by its Host, as an HTTP proxy would, and <c>CONNECT host:port</c> opens a tunnel that is handled
/// as a connection captured on its way to <c>host:port</c>: answered 200 once the TCP proxy has connected upstream (or
/// before, when the tunnel's own bytes decide how it is served), else with Envoy's error for why it could not be. On
/// the inbound listener HTTP is routed per request too; other bytes are taken to be for the workload's only port.
/// </para>
/// </summary>
internal sealed partial class ConnectionPipeline(SnapshotState state, TcpProxy tcp, TimeProvider time, ILogger<ConnectionPipeline> log, Tls.TlsTermination? termination = null, Authorization.ExtAuthzClient? extAuthz = null, CaptureSockets? captures = null)
{
    private static readonly Inspectors Everything = new(Tls: true, Http: true);
    private static readonly byte[] BadConnect = "HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"u8.ToArray();

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        var role = connection.Features.Get<ListenerRoleFeature>()?.Role;
        var snapshot = state.Current;
        if (snapshot is null || role is not (ListenerRole.Outbound or ListenerRole.Inbound or ListenerRole.Dynamic))
        {
            // Nothing to choose a chain from yet: HTTP gets the request handler's "not ready" answer.
            await Http2Sniffing.SniffAsync(connection).ConfigureAwait(false);
            await next(connection).ConfigureAwait(false);
            return;
        }

        try
        {
            if (role == ListenerRole.Dynamic)
            {
                await BoundAsync(connection, next, snapshot).ConfigureAwait(false);
                return;
            }

            // Diverted by TPROXY: the connection's own address is where it was going. Otherwise iptables REDIRECT's record of it.
            var socket = connection.Features.Get<IConnectionSocketFeature>()?.Socket;
            var original = socket is null ? null : captures?.Diverted(role.Value, socket);
            if (original is null && socket is not null && (original = OriginalDestination.Read(socket)) is not null && original.Port == (connection.LocalEndPoint as IPEndPoint)?.Port)
            {
                // Sent to this listener's own port: a port mapping in front of it (a container runtime publishing the
                // port), not a capture; handled as a connection made straight to the listener.
                original = null;
            }

            if (role == ListenerRole.Outbound)
            {
                await OutboundAsync(connection, next, snapshot, original).ConfigureAwait(false);
            }
            else
            {
                await InboundAsync(connection, next, snapshot, original).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ConnectionAbortedException or ConnectionResetException or OperationCanceledException or ObjectDisposedException)
        {
            LogEnded(log, connection.ConnectionId, e.Message);
        }
    }

    private async Task OutboundAsync(ConnectionContext connection, ConnectionDelegate next, ProxySnapshot snapshot, IPEndPoint? original)
    {
        var capture = snapshot.CaptureListener(TrafficDirection.Outbound, ResourceNames.VirtualOutboundListener);
        if (original is not null)
        {
            // Envoy's use_original_dst hand-off: the listener for the destination, else the capture listener's own chains.
            await RouteAsync(connection, next, snapshot, snapshot.ListenerFor(original.Address, original.Port) ?? capture, Destination(original), null).ConfigureAwait(false);
            return;
        }

        var detected = await ProtocolDetection.DetectAsync(connection.Transport.Input, Everything, Timeout.InfiniteTimeSpan, true, time).ConfigureAwait(false);
        if (detected is { IsConnect: true })
        {
            await TunnelAsync(connection, next, snapshot, capture).ConfigureAwait(false);
            return;
        }

        if (detected is { IsHttp: true })
        {
            await HttpAsync(connection, next, detected).ConfigureAwait(false);
            return;
        }

        // Not HTTP and not captured: addressed to this listener itself, which its loop guard closes.
        await RouteAsync(connection, next, snapshot, capture, Itself(connection, capture), detected).ConfigureAwait(false);
    }

    private async Task InboundAsync(ConnectionContext connection, ConnectionDelegate next, ProxySnapshot snapshot, IPEndPoint? original)
    {
        var capture = snapshot.CaptureListener(TrafficDirection.Inbound, ResourceNames.VirtualInboundListener);
        if (capture is null)
        {
            await Http2Sniffing.SniffAsync(connection).ConfigureAwait(false);
            await next(connection).ConfigureAwait(false);
            return;
        }

        if (original is not null)
        {
            await RouteAsync(connection, next, snapshot, capture, Destination(original), null).ConfigureAwait(false);
            return;
        }

        // Local mode: the workload's only port, when it has one, is where non-HTTP bytes go and whose inspectors run;
        // with several ports only an HTTP request's Host can tell, so HTTP is always looked for.
        var guess = LocalDestination.Inbound(HostPort.Join(IPAddress.Loopback.ToString(), capture.Port), capture);
        var inspectors = capture.Inspection.For(guess.Port);
        if (guess.Port == capture.Port)
        {
            inspectors = inspectors with { Http = true };
        }

        var detected = await ProtocolDetection.DetectAsync(connection.Transport.Input, inspectors, capture.Inspection.Timeout, capture.Inspection.ContinueOnTimeout, time).ConfigureAwait(false);
        if (detected is null)
        {
            LogDetectionTimedOut(log, capture.Name);
            return;
        }

        if (detected.IsHttp)
        {
            await HttpAsync(connection, next, detected).ConfigureAwait(false);
            return;
        }

        await RouteAsync(connection, next, snapshot, capture, guess, detected).ConfigureAwait(false);
    }

    /// <summary>
    /// A listener the proxy bound for LDS: the connection's destination is the socket's own address. HTTP requests on
    /// it name their destination by their Host, as in local mode (the socket's address would be the proxy itself).
    /// </summary>
    private async Task BoundAsync(ConnectionContext connection, ConnectionDelegate next, ProxySnapshot snapshot)
    {
        var bound = connection.Features.Get<BoundListenerFeature>();
        try
        {
            var listener = bound is null ? null : snapshot.ListenerNamed(bound.Name);
            // A unix socket has no address or port to match chains or reach an original destination with.
            var destination = connection.LocalEndPoint is IPEndPoint local
                ? Destination(local)
                : new LocalDestination(listener?.Where ?? string.Empty, null, 0);
            await RouteAsync(connection, next, snapshot, listener, destination, null, requestsNameDestination: true).ConfigureAwait(false);
        }
        finally
        {
            bound?.Done();
        }
    }

    /// <summary>
    /// An explicit CONNECT: the tunnel's bytes are handled as a connection captured on its way to the requested
    /// authority. The client sends nothing for the tunnel before the answer, so the answer waits only for what can be
    /// known without those bytes: a TCP chain answers once connected upstream (or with the reason it could not), and
    /// whatever must read the tunnel's first bytes (inspectors, TLS termination, an HTTP chain) answers 200 first.
    /// </summary>
    private async Task TunnelAsync(ConnectionContext connection, ConnectionDelegate next, ProxySnapshot snapshot, ListenerModel? capture)
    {
        var authority = await ConnectRequest.ReadAsync(connection.Transport.Input).ConfigureAwait(false);
        var client = new DownstreamWriter(connection);
        if (authority is null)
        {
            await client.SendAsync(BadConnect, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        var tunnel = new ConnectTunnel(client);
        connection.Features.Set(tunnel);
        var destination = LocalDestination.Outbound(authority);
        var listener = snapshot.ListenerFor(destination.Address, destination.Port) ?? capture;
        await RouteAsync(connection, next, snapshot, listener, destination, null).ConfigureAwait(false);

        // Nothing took the tunnel (no listener or chain, or one that cannot serve it): the reasons are logged.
        await tunnel.RefuseAsync(503, "Service Unavailable", string.Empty).ConfigureAwait(false);
    }

    /// <summary>Answers a waiting CONNECT with 200 before the tunnel's first bytes are read; nothing for other connections.</summary>
    private static ValueTask OpenTunnelAsync(ConnectionContext connection) =>
        connection.Features.Get<ConnectTunnel>()?.OpenAsync() ?? ValueTask.CompletedTask;

    /// <summary>The listener's inspectors, then its filter chain, then what the chain does.</summary>
    private async Task RouteAsync(ConnectionContext connection, ConnectionDelegate next, ProxySnapshot snapshot, ListenerModel? listener, LocalDestination destination, DetectedProtocol? detected, bool requestsNameDestination = false)
    {
        if (listener is null)
        {
            LogNoListener(log, destination.Authority);
            return;
        }

        if (detected is null)
        {
            var inspection = listener.Inspection;
            var inspectors = inspection.For(destination.Port);
            if (inspectors.Any)
            {
                await OpenTunnelAsync(connection).ConfigureAwait(false);
            }

            detected = await ProtocolDetection.DetectAsync(connection.Transport.Input, inspectors, inspection.Timeout, inspection.ContinueOnTimeout, time).ConfigureAwait(false);
            if (detected is null)
            {
                LogDetectionTimedOut(log, listener.Name);
                return;
            }
        }

        var remote = connection.RemoteEndPoint as IPEndPoint;
        var facts = new ConnectionFacts(
            destination.Address,
            destination.Port,
            remote?.Address ?? IPAddress.Loopback,
            remote?.Port ?? 0,
            detected.TransportProtocol,
            detected.ApplicationProtocols,
            detected.ServerName);
        var chain = listener.SelectChain(facts);
        System.Net.Security.SslStream? tls = null;
        if (chain?.Tls is { } tlsSettings)
        {
            // The chain's transport socket comes first: network filters see the decrypted connection and its peer.
            await OpenTunnelAsync(connection).ConfigureAwait(false);
            if (termination is null || (tls = await termination.TerminateAsync(connection, tlsSettings, listener.Name, detected.ApplicationProtocols).ConfigureAwait(false)) is null)
            {
                return;
            }
        }

        try
        {
            await ServeChainAsync(connection, next, snapshot, listener, destination, detected, facts, chain, requestsNameDestination).ConfigureAwait(false);
        }
        finally
        {
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>What the chain does with the connection (after its TLS, when it terminates TLS).</summary>
    private async Task ServeChainAsync(ConnectionContext connection, ConnectionDelegate next, ProxySnapshot snapshot, ListenerModel listener, LocalDestination destination, DetectedProtocol detected, ConnectionFacts facts, FilterChainModel? chain, bool requestsNameDestination)
    {
        var authorization = chain?.Action switch { HttpChain h => h.Authorization, TcpChain t => t.Authorization, _ => null };
        if (authorization is not null
            && await authorization.DeniesAsync(facts, connection.Features.Get<Authorization.PeerIdentity>(), connection.Features.Get<Tls.DownstreamTlsFeature>(), snapshot, extAuthz, connection.ConnectionClosed).ConfigureAwait(false) is { } denial)
        {
            // Envoy closes a connection its network RBAC refuses (a waiting CONNECT gets RBAC's HTTP answer first); its
            // TCP proxy, which never connected, still writes the connection to its access logs.
            LogConnectionDenied(log, listener.Name, chain!.Name, destination.Authority);
            if (connection.Features.Get<ConnectTunnel>() is { } tunnel)
            {
                await tunnel.RefuseAsync(403, "Forbidden", "RBAC: access denied").ConfigureAwait(false);
            }

            if (chain.Action is TcpChain refused)
            {
                var record = Record(connection, listener, destination, chain.Name, refused.Proxy.StatPrefix, refused.Proxy.AccessLogs);
                record.Flags = denial.Flags;
                record.TerminationDetails = denial.TerminationDetails;
                tcp.Events.WriteAccessLogs(record);
            }

            return;
        }

        switch (chain?.Action)
        {
            case HttpChain:
                connection.Features.Set(new ConnectionRoute(listener, chain!, requestsNameDestination ? null : destination, facts, snapshot));
                await OpenTunnelAsync(connection).ConfigureAwait(false);
                await HttpAsync(connection, next, detected).ConfigureAwait(false);
                break;
            case TcpChain proxy:
                var exchange = proxy.PeerExchange is { } protocol && connection.Features.Get<Tls.DownstreamTlsFeature>()?.Alpn == protocol;
                await tcp.ProxyAsync(connection, snapshot, proxy.Proxy, Record(connection, listener, destination, chain.Name, proxy.Proxy.StatPrefix, proxy.Proxy.AccessLogs, proxy.Stats), destination, OriginalSource.Of(listener, facts), exchange).ConfigureAwait(false);
                break;
            case UnsupportedChain unsupported:
                LogUnsupportedChain(log, listener.Name, chain.Name, unsupported.Reason);
                break;
            default:
                LogNoChain(log, listener.Name, destination.Authority, detected.TransportProtocol, detected.ServerName ?? "-");
                LogNoRoute(connection, listener, destination);
                break;
        }
    }

    /// <summary>A connection no filter chain takes goes to the listener's access logs (and the proxy's own), flagged NR, as Envoy logs it.</summary>
    private void LogNoRoute(ConnectionContext connection, ListenerModel listener, LocalDestination destination)
    {
        var record = Record(connection, listener, destination, string.Empty, string.Empty, listener.AccessLogs);
        record.Flags = "NR";
        tcp.Events.WriteAccessLogs(record);
    }

    /// <summary>The connection as the TCP path's telemetry and access logs see it, from its start.</summary>
    private TcpConnectionRecord Record(ConnectionContext connection, ListenerModel listener, LocalDestination destination, string chain, string statPrefix, IReadOnlyList<Telemetry.AccessLog.AccessLogConfig> accessLogs, Telemetry.Metrics.StatsConfig? stats = null)
    {
        var terminated = connection.Features.Get<Tls.DownstreamTlsFeature>() is { PeerCertificate: not null } tls ? tls : null;
        return new TcpConnectionRecord
        {
            Listener = listener.Name,
            FilterChain = chain,
            StatPrefix = statPrefix,
            Direction = listener.Direction,
            DownstreamRemote = connection.RemoteEndPoint,
            DownstreamLocal = connection.LocalEndPoint,
            OriginalDestination = destination.Authority,
            StartTime = time.GetUtcNow(),
            AccessLogs = accessLogs,
            Stats = stats,
            MutualTls = terminated is not null ? true : null,
            SourcePrincipal = terminated is not null && connection.Features.Get<Authorization.PeerIdentity>()?.UriSans is [var uri, ..] ? uri : string.Empty,
            DestinationPrincipal = terminated?.LocalUri ?? string.Empty,
        };
    }

    /// <summary>Into Kestrel's HTTP server, as HTTP/2 when the client opened with the h2 preface.</summary>
    private static async Task HttpAsync(ConnectionContext connection, ConnectionDelegate next, DetectedProtocol detected)
    {
        // Each request names its destination by Host; consecutive requests for the same one reuse its chain.
        connection.Features.Set(new RequestRouteMemo());
        if (detected.IsH2c)
        {
            Http2Sniffing.MarkH2(connection);
        }
        else if (!detected.IsHttp)
        {
            await Http2Sniffing.SniffAsync(connection).ConfigureAwait(false);
        }

        await next(connection).ConfigureAwait(false);
    }

    private static LocalDestination Destination(IPEndPoint endpoint) => new(endpoint.Address.ToString(), endpoint.Address, endpoint.Port);

    /// <summary>The capture listener's own address and port, as a connection straight to it has.</summary>
    private static LocalDestination Itself(ConnectionContext connection, ListenerModel? capture)
    {
        var local = connection.LocalEndPoint as IPEndPoint;
        var address = local?.Address ?? IPAddress.Loopback;
        return new LocalDestination(address.ToString(), address, capture?.Port ?? local?.Port ?? 0);
    }

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "listener {Listener} chain {Chain}: network authorization refused the connection to {Destination}; closed")]
    private static partial void LogConnectionDenied(ILogger log, string listener, string chain, string destination);

    [LoggerMessage(EventId = 400, Level = LogLevel.Debug, Message = "no filter chain of listener {Listener} takes the connection to {Destination} (transport {Transport}, server name {ServerName}): closed")]
    private static partial void LogNoChain(ILogger log, string listener, string destination, string transport, string serverName);

    [LoggerMessage(EventId = 401, Level = LogLevel.Debug, Message = "no listener takes the connection to {Destination}: closed")]
    private static partial void LogNoListener(ILogger log, string destination);

    [LoggerMessage(EventId = 402, Level = LogLevel.Debug, Message = "listener {Listener} gave up waiting for the client's first bytes: closed")]
    private static partial void LogDetectionTimedOut(ILogger log, string listener);

    [LoggerMessage(EventId = 403, Level = LogLevel.Warning, Message = "listener {Listener} chain {Chain} cannot serve the connection: {Reason}; closed")]
    private static partial void LogUnsupportedChain(ILogger log, string listener, string chain, string reason);

    [LoggerMessage(EventId = 404, Level = LogLevel.Debug, Message = "connection {Connection} ended: {Reason}")]
    private static partial void LogEnded(ILogger log, string connection, string reason);
}
