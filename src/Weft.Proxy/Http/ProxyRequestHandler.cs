using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Listeners;
using Weft.Proxy.Authorization;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Telemetry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Http;

/// <summary>
/// The first stages of a request on the outbound or inbound listener, in Envoy's order: the listener its original
/// destination is handed to (none for a port no listener takes: 404, no route), the filter chain (both already chosen
/// for the connection when its destination was known when it was accepted), then the HTTP connection manager's processing (upgrade check, path
/// normalization, Host port handling, forwarding headers, request id) before the router takes over. The snapshot is read
/// once; everything after uses that one. Every request, whatever its outcome, is reported to telemetry once its
/// response has been sent.
/// </summary>
internal sealed partial class ProxyRequestHandler(SnapshotState state, Router router, RequestTelemetry telemetry, ExtAuthzClient extAuthz, ILogger<ProxyRequestHandler> log, Action<ProxyRequestInfo>? completed = null)
{
    private static readonly string[] Http11 = ["http/1.1"];
    private static readonly string[] H2c = ["h2c"];

    public async Task HandleAsync(HttpContext context, ListenerRole role)
    {
        var info = new ProxyRequestInfo();
        context.Features.Set(info);
        telemetry.Begin(context, info, role);
        if (completed is not null)
        {
            context.Response.OnCompleted(() =>
            {
                completed(info);
                return Task.CompletedTask;
            });
        }

        var snapshot = state.Current;
        info.Snapshot = snapshot;
        if (snapshot is null)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, "weft proxy has no complete configuration yet: " + string.Join("; ", state.Missing), ResponseFlags.NoRoute).ConfigureAwait(false);
            return;
        }

        // Kestrel lets control characters and separators through in header names; Envoy refuses them.
        if (!RequestHeaders.NamesAreTokens(context.Request.Headers))
        {
            context.Response.Headers.Connection = "close";
            await LocalReplies.SendAsync(context, StatusCodes.Status400BadRequest, string.Empty, ResponseFlags.DownstreamProtocolError).ConfigureAwait(false);
            return;
        }

        var authority = context.Request.Host.Value ?? string.Empty;
        if (authority.Length == 0)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status400BadRequest, string.Empty, ResponseFlags.DownstreamProtocolError).ConfigureAwait(false);
            return;
        }

        ListenerModel? listener;
        LocalDestination destination;
        FilterChainModel? chain;

        // Known when the chain is chosen per request; a chain chosen for the connection had its network authorization then.
        ConnectionFacts? facts = null;
        var http2 = HttpProtocol.IsHttp2(context.Request.Protocol);
        if (context.Features.Get<ConnectionRoute>() is { } route)
        {
            // The connection's listener chose the chain when it was accepted; after a configuration change the request
            // chooses again by the same facts (and passes the new chain's network authorization).
            if (route.Snapshot == snapshot)
            {
                listener = route.Listener;
                chain = route.Chain;
            }
            else
            {
                listener = snapshot.ListenerNamed(route.Listener.Name);
                if (listener is null)
                {
                    context.Response.Headers.Connection = "close";
                    await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
                    return;
                }

                chain = listener.SelectChain(route.Facts);
                facts = route.Facts;
            }

            destination = route.Destination
                ?? (listener.Direction == TrafficDirection.Inbound ? LocalDestination.Inbound(authority, listener) : LocalDestination.Outbound(authority));
        }
        else if (context.Features.Get<RequestRouteMemo>() is { } memo
            && memo.Find(snapshot, authority, http2) is { } remembered)
        {
            // The connection's previous request went to the same authority: the same listener and chain.
            destination = remembered.Destination;
            listener = remembered.Listener;
            facts = remembered.Facts;
            chain = remembered.Chain;
        }
        else
        {
            if (role == ListenerRole.Outbound)
            {
                // Local mode has no capture: the per-port listener is the one the original destination would be handed to.
                // virtualOutbound's own chains (TCP passthrough, its loop guard) exist for captured connections only.
                destination = LocalDestination.Outbound(authority);
                listener = snapshot.ListenerFor(destination.Address, destination.Port);
            }
            else if (role == ListenerRole.Inbound)
            {
                listener = snapshot.CaptureListener(TrafficDirection.Inbound, ResourceNames.VirtualInboundListener);
                destination = listener is null ? LocalDestination.Outbound(authority) : LocalDestination.Inbound(authority, listener);
            }
            else
            {
                // A bound listener's connection always has its chain; without one, nothing takes the request.
                listener = null;
                destination = LocalDestination.Outbound(authority);
            }

            if (listener is null)
            {
                await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
                return;
            }

            var connection = context.Connection;
            facts = new ConnectionFacts(
                destination.Address,
                destination.Port,
                connection.RemoteIpAddress ?? System.Net.IPAddress.Loopback,
                connection.RemotePort,
                "raw_buffer",
                http2 ? H2c : Http11);
            chain = listener.SelectChain(facts);
            context.Features.Get<RequestRouteMemo>()?.Remember(new RequestRouteMemo.Entry(snapshot, authority, http2, destination, listener, facts, chain));
        }

        info.Listener = listener.Name;

        // Under original_src the upstream connections come from the client's own address (the listener in force decides).
        info.OriginalSource = listener.OriginalSource is null ? null : Listeners.OriginalSource.Of(listener, facts ?? context.Features.Get<ConnectionRoute>()!.Facts);
        info.FilterChain = chain?.Name ?? string.Empty;
        switch (chain?.Action)
        {
            case HttpChain guarded when !ConnectionAllowed(context, guarded.Authorization, facts, info):
            case TcpChain tcp2 when !ConnectionAllowed(context, tcp2.Authorization, facts, info):
                // Envoy closes a connection its network RBAC refuses.
                context.Abort();
                break;
            case HttpChain http:
                await ServeAsync(context, snapshot, http.Manager, destination, authority, info).ConfigureAwait(false);
                break;
            case TcpChain tcp:
                // An HTTP request (routed by its Host in local mode) for a port whose listener proxies TCP: the connection
                // is already HTTP, so the TCP proxy cannot take it. CONNECT (or capture) reaches that chain.
                await LocalReplies.SendAsync(
                    context,
                    StatusCodes.Status502BadGateway,
                    $"weft proxy: {destination.Authority} reaches filter chain {chain.Name} of listener {listener.Name}, which proxies TCP to {tcp.Proxy.Clusters[0].Name}; open a tunnel with CONNECT {destination.Authority} to use it",
                    ResponseFlags.UpstreamConnectionFailure).ConfigureAwait(false);
                break;
            case UnsupportedChain unsupported:
                await LocalReplies.SendAsync(context, StatusCodes.Status502BadGateway, $"weft proxy: filter chain {chain.Name} of listener {listener.Name}: {unsupported.Reason}", ResponseFlags.UpstreamConnectionFailure).ConfigureAwait(false);
                break;
            default:
                LogNoChain(log, listener.Name, destination.Authority);
                await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The connection manager's work before routing.</summary>
    private async Task ServeAsync(HttpContext context, ProxySnapshot snapshot, ConnectionManagerModel manager, LocalDestination destination, string authority, ProxyRequestInfo info)
    {
        info.Manager = manager;
        telemetry.ExchangeRequest(info, manager.PeerHeaders);
        context.Response.OnStarting(static s =>
        {
            var request = (ProxyRequestInfo)s;
            ServerHeader.Apply(request.Manager!, request.Context!);
            return Task.CompletedTask;
        }, info);

        if (HttpMethods.IsConnect(context.Request.Method))
        {
            // Envoy answers CONNECT with 403 unless the connection manager's upgrade_configs allow it (never here).
            await LocalReplies.SendAsync(context, StatusCodes.Status403Forbidden, string.Empty, string.Empty).ConfigureAwait(false);
            return;
        }

        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true }
            && !manager.Upgrades.Contains(context.Request.Headers.Upgrade.ToString()))
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status403Forbidden, string.Empty, ResponseFlags.DownstreamProtocolError).ConfigureAwait(false);
            return;
        }

        var (outcome, path) = PathNormalizer.Process(Target(context), manager.NormalizePath, manager.MergeSlashes, manager.EscapedSlashes);
        switch (outcome)
        {
            case PathNormalizer.Outcome.Invalid or PathNormalizer.Outcome.Reject:
                await LocalReplies.SendAsync(context, StatusCodes.Status400BadRequest, string.Empty, ResponseFlags.DownstreamProtocolError).ConfigureAwait(false);
                return;
            case PathNormalizer.Outcome.Redirect:
                context.Response.Headers.Location = path;
                await LocalReplies.SendAsync(context, StatusCodes.Status307TemporaryRedirect, string.Empty, string.Empty).ConfigureAwait(false);
                return;
        }

        var host = Host(authority, manager, destination.Port);
        if (!ReferenceEquals(host, authority))
        {
            context.Request.Host = new HostString(host);
        }

        var isInternal = RequestHeaders.IsInternalRequest(context, manager);

        // Taken before the connection manager appends the peer to X-Forwarded-For, as Envoy decides it.
        var remote = manager.Authorization is null ? null : DownstreamAddress.Remote(context, manager);
        RequestHeaders.Apply(context, manager, isInternal);
        var request = new RouteRequest
        {
            Method = context.Request.Method,
            Authority = host,
            Path = path,
            Scheme = context.Request.Scheme,
            Headers = context.Request.Headers,
        };

        // The authorization filters run after the connection manager's processing and before the router.
        if (manager.Authorization is { } authorization)
        {
            var input = new AuthorizationInput
            {
                Request = request,
                DirectRemoteAddress = context.Connection.RemoteIpAddress ?? System.Net.IPAddress.Loopback,
                DirectRemotePort = context.Connection.RemotePort,
                RemoteAddress = remote!,
                DestinationAddress = destination.Address,
                DestinationPort = destination.Port,
                Peer = context.Features.Get<PeerIdentity>(),
                ServerName = context.Features.Get<ConnectionRoute>()?.Facts.ServerName ?? string.Empty,
                Metadata = info.Metadata ??= new DynamicMetadata(),
            };
            if (!await AuthorizeAsync(context, snapshot, authorization, input, request, info).ConfigureAwait(false))
            {
                return;
            }
        }

        request.Metadata = info.Metadata;
        var routes = snapshot.RoutesFor(manager);
        if (routes is null)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
            return;
        }

        if (!isInternal)
        {
            RequestHeaders.RemoveInternalOnly(context.Request.Headers, routes.InternalOnlyHeaders);
        }

        await router.RouteAsync(context, snapshot, manager, routes, request, destination, isInternal).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the connection manager's authorization filters (RBAC, ext_authz) and applies what they decided: a denial is
    /// answered here (false); an ext_authz service's allowing answer edits the request's headers before it is routed and
    /// may add headers to the response.
    /// </summary>
    private async Task<bool> AuthorizeAsync(HttpContext context, ProxySnapshot snapshot, HttpAuthorization authorization, AuthorizationInput input, RouteRequest request, ProxyRequestInfo info)
    {
        var outcomes = new AuthorizationOutcomes();
        AuthorizationVerdict verdict;
        if (authorization.HasExtAuthz || authorization.Authenticates)
        {
            byte[]? body = null;
            verdict = await authorization.EvaluateAsync(input, async service =>
            {
                if (service.MaxRequestBytes is { } max)
                {
                    body ??= await BufferedBody.ReadAsync(context.Request, authorization.MaxCheckedBody ?? max).ConfigureAwait(false);
                    if (body.Length > max && !service.AllowPartialBody)
                    {
                        return ExtAuthzResult.Denied(StatusCodes.Status413PayloadTooLarge, "Payload Too Large", []);
                    }
                }

                var sent = service.MaxRequestBytes is { } limit && body is not null ? body[..Math.Min(body.Length, limit)] : null;
                var check = new ExtAuthzCheck(request, input, context.Request.Protocol, context.Request.Headers["x-request-id"].ToString(), context.Request.ContentLength ?? -1)
                {
                    Tls = context.Features.Get<Tls.DownstreamTlsFeature>(),
                };
                return await extAuthz.CheckAsync(service, snapshot, check, sent, context.RequestAborted).ConfigureAwait(false);
            }, outcomes, (jwks, cancel) => extAuthz.FetchAsync(jwks.Cluster, jwks.Uri, snapshot, cancel), context.RequestAborted).ConfigureAwait(false);
        }
        else
        {
            verdict = authorization.Evaluate(input, outcomes);
        }

        if (outcomes.ShadowDenied)
        {
            LogShadowDenied(log, request.Method, request.Path, info.Listener, info.FilterChain);
        }

        if (!verdict.Allowed)
        {
            LogDenied(log, request.Method, request.Path, info.Listener, info.FilterChain, verdict.Details);
            info.Details = verdict.Details;
            await LocalReplies.SendAsync(context, verdict.Status, verdict.Body, verdict.Flags, headers: verdict.Headers).ConfigureAwait(false);
            return false;
        }

        ExtAuthzEdits.Apply(context, outcomes);
        return true;
    }

    /// <summary>
    /// The request target as sent: origin-form as is; for absolute-form (a client using the proxy as its HTTP proxy) the
    /// path and query after the authority.
    /// </summary>
    internal static string Target(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(raw))
        {
            return context.Request.Path.ToUriComponent() + context.Request.QueryString.ToUriComponent();
        }

        var scheme = raw.IndexOf("://", StringComparison.Ordinal);
        if (scheme > 0 && raw[0] != '/')
        {
            var slash = raw.IndexOf('/', scheme + 3);
            var query = raw.IndexOf('?', scheme + 3);
            return slash >= 0 && (query < 0 || slash < query) ? raw[slash..] : "/" + (query >= 0 ? raw[query..] : string.Empty);
        }

        return raw;
    }

    /// <summary>The Host after the manager's port and trailing-dot handling; the same string when neither changes it.</summary>
    private static string Host(string host, ConnectionManagerModel manager, int destinationPort)
    {
        var at = HostPort.PortStart(host);
        var name = host.AsSpan(0, at);
        var port = host.AsSpan(at);
        var dropDot = manager.StripTrailingHostDot && name.EndsWith('.');
        var dropPort = port.Length > 0 && (manager.StripAnyHostPort || (manager.StripMatchingHostPort && IsPort(port[1..], destinationPort)));
        if (!dropDot && !dropPort)
        {
            return host;
        }

        if (dropDot)
        {
            name = name[..^1];
        }

        return dropPort ? name.ToString() : string.Concat(name, port);
    }

    /// <summary>Whether the digits are the port as the proxy writes it (":08080" is not port 8080 here, as in Envoy's string compare).</summary>
    private static bool IsPort(ReadOnlySpan<char> digits, int port)
    {
        Span<char> text = stackalloc char[11];
        return port.TryFormat(text, out var length, default, System.Globalization.CultureInfo.InvariantCulture) && digits.SequenceEqual(text[..length]);
    }

    [LoggerMessage(EventId = 300, Level = LogLevel.Debug, Message = "no filter chain of listener {Listener} takes {Destination}")]
    private static partial void LogNoChain(ILogger log, string listener, string destination);

    /// <summary>Checks a chain's network authorization (network RBAC before the terminal filter), if it has any.</summary>
    private bool ConnectionAllowed(HttpContext context, NetworkAuthorization? authorization, ConnectionFacts? facts, ProxyRequestInfo info)
    {
        if (authorization is null || facts is null)
        {
            return true;
        }

        var input = NetworkAuthorization.Input(facts, context.Features.Get<PeerIdentity>());
        if (authorization.Evaluate(input, out var policy))
        {
            return true;
        }

        LogConnectionDenied(log, facts.SourceAddress, info.Listener, info.FilterChain, policy ?? "none");
        return false;
    }

    [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "authorization denied {Method} {Path} on listener {Listener} chain {Chain}: {Details}")]
    private static partial void LogDenied(ILogger log, string method, string path, string listener, string chain, string details);

    [LoggerMessage(EventId = 303, Level = LogLevel.Debug, Message = "shadow (dry-run) authorization rules would deny {Method} {Path} on listener {Listener} chain {Chain}")]
    private static partial void LogShadowDenied(ILogger log, string method, string path, string listener, string chain);

    [LoggerMessage(EventId = 304, Level = LogLevel.Debug, Message = "network authorization closed a connection from {Source} on listener {Listener} chain {Chain} (policy {Policy})")]
    private static partial void LogConnectionDenied(ILogger log, System.Net.IPAddress source, string listener, string chain, string policy);
}
