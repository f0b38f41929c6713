using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Weft.Proxy.Http;

/// <summary>
/// Envoy's router for one request: virtual host, route, then the route's action. Forwarding picks the cluster (a
/// weighted split draws on the request's random value), applies the header edits from the most to the least specific
/// level (or the reverse when the configuration asks), rewrites path and Host, picks an endpoint with the cluster's load
/// balancer (by the route's hash for ring hash and Maglev), passes the cluster's circuit breakers and sends the request
/// through YARP's forwarder with the route timeout, reporting the outcome to the cluster (outlier detection). Failures
/// become Envoy's local replies: 404 no route (NR), 503 unknown cluster (NC), 503 no healthy upstream (UH), 503 circuit
/// breaker overflow (UO), 503 connect failure (UF), 504 timeout (UT).
/// </summary>
internal sealed class Router(UpstreamTransports transports, IHttpForwarder forwarder, TimeProvider time, Func<ulong> random, ProxyEndpoints endpoints)
{
    public const string AttemptCount = "x-envoy-attempt-count";
    public const string ExpectedTimeout = "x-envoy-expected-rq-timeout-ms";
    public const string OriginalPath = "x-envoy-original-path";

    public async Task RouteAsync(HttpContext context, ProxySnapshot snapshot, ConnectionManagerModel manager, RouteTable routes, RouteRequest request, LocalDestination destination, bool isInternal)
    {
        var info = context.Features.Get<ProxyRequestInfo>()!;
        var vhostKey = routes.VirtualHostHeader is { } header ? request.Header(header) ?? string.Empty : request.Authority;
        var vhost = routes.FindVirtualHost(vhostKey);
        if (vhost is null)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
            return;
        }

        info.VirtualHost = vhost.Name;
        if (vhost.RequireTls == TlsRequirement.All || (vhost.RequireTls == TlsRequirement.ExternalOnly && !isInternal))
        {
            context.Response.Headers.Location = $"https://{request.Authority}{request.Path}";
            await LocalReplies.SendAsync(context, StatusCodes.Status301MovedPermanently, string.Empty, string.Empty).ConfigureAwait(false);
            return;
        }

        var draw = random();
        var route = vhost.FindRoute(request, draw);
        if (route is null)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
            return;
        }

        info.Route = route.Name;
        switch (route.Behavior)
        {
            case ForwardAction forward:
                await ForwardAsync(context, snapshot, manager, routes, vhost, route, forward, request, destination, draw, info).ConfigureAwait(false);
                break;
            case RedirectReply redirect:
                Shaping(routes, vhost, route, null).Apply(context);
                context.Response.Headers.Location = RedirectLocation.Build(redirect, context.Request.Scheme, request.Authority, request.Path, route.Condition.Path.MatchedLength(request.PathOnly));
                await LocalReplies.SendAsync(context, redirect.Status, string.Empty, string.Empty).ConfigureAwait(false);
                break;
            case DirectReply direct:
                await DirectAsync(context, Shaping(routes, vhost, route, null), direct).ConfigureAwait(false);
                break;
            default:
                await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
                break;
        }
    }

    private async Task ForwardAsync(
        HttpContext context,
        ProxySnapshot snapshot,
        ConnectionManagerModel manager,
        RouteTable routes,
        VirtualHostEntry vhost,
        RouteEntry route,
        ForwardAction action,
        RouteRequest request,
        LocalDestination destination,
        ulong draw,
        ProxyRequestInfo info)
    {
        var (clusterName, entry) = action.Clusters.Pick(request, draw);
        info.Cluster = clusterName ?? string.Empty;
        var shaping = Shaping(routes, vhost, route, entry);
        if (clusterName is null || !snapshot.Clusters.TryGetValue(clusterName, out var cluster))
        {
            shaping.Apply(context);
            await LocalReplies.SendAsync(context, action.ClusterNotFoundStatus, string.Empty, ResponseFlags.NoClusterFound).ConfigureAwait(false);
            return;
        }

        if (cluster.Model.Unsupported is { } unsupported)
        {
            shaping.Apply(context);
            await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, "weft proxy: " + unsupported, ResponseFlags.UpstreamConnectionFailure).ConfigureAwait(false);
            return;
        }

        var headers = context.Request.Headers;
        foreach (var mutation in Levels(routes, entry?.Request, route.Request, vhost.Request, routes.Request))
        {
            mutation.Apply(headers);
        }

        var upstreamPath = UpstreamPath(action, route, request);
        if (upstreamPath != request.Path)
        {
            headers[OriginalPath] = request.Path;
        }

        if (vhost.IncludeRequestAttemptCount)
        {
            headers[AttemptCount] = "1";
        }

        var timeout = Timeout(action, request);
        if (timeout > TimeSpan.Zero)
        {
            headers[ExpectedTimeout] = ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }

        string authority;
        UpstreamHost? host = null;
        UpstreamEndpoint? endpoint = null;
        if (cluster.Model.Kind == DiscoveryKind.OriginalDst)
        {
            if (OriginalDestination(cluster.Model, destination, request) is not { } original)
            {
                shaping.Apply(context);
                await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, "no healthy upstream", ResponseFlags.NoHealthyUpstream).ConfigureAwait(false);
                return;
            }

            authority = original;
        }
        else
        {
            // A draw of its own: the route's draw already chose the weighted cluster, and reusing it would tie the two.
            // The hash policy only matters to (and only runs for) ring hash and Maglev, as in Envoy.
            var hash = cluster.Balancer.UsesHash ? action.HashPolicy?.Compute(context, request) : null;
            endpoint = cluster.Balancer.Pick(random(), hash);
            host = endpoint?.Host;
            if (host is null)
            {
                shaping.Apply(context);
                await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, "no healthy upstream", ResponseFlags.NoHealthyUpstream).ConfigureAwait(false);
                return;
            }

            authority = host.Authority;
        }

        if (endpoints.IsOwnListener(authority))
        {
            shaping.Apply(context);
            await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, $"weft proxy: {authority} is this proxy's own listener; forwarding there would loop", ResponseFlags.UpstreamConnectionFailure).ConfigureAwait(false);
            return;
        }

        info.UpstreamHost = authority;
        info.Upstream = host;
        RewriteHost(context, entry?.HostRewrite is { } literal ? new HostRewrite(HostRewriteKind.Literal, literal) : action.HostRewrite, cluster.Model, host, request, action.AppendXForwardedHost);

        using var lease = transports.Acquire(cluster.Model);
        var (version, policy) = cluster.Model.Connection.Protocol switch
        {
            UpstreamProtocol.Http2 => (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact),
            UpstreamProtocol.Downstream when HttpProtocol.IsHttp2(context.Request.Protocol) => (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact),
            _ => (HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact),
        };
        var idle = action.IdleTimeout is { } routeIdle ? (routeIdle == TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : routeIdle) : manager.StreamIdleTimeout;
        var config = new ForwarderRequestConfig { Version = version, VersionPolicy = policy, ActivityTimeout = idle };
        var prefix = "http://" + authority;
        var uri = new Uri(prefix + upstreamPath, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

        using var deadline = timeout > TimeSpan.Zero ? new CancellationTokenSource(timeout, time) : null;
        using var admission = await cluster.State.AdmitAsync(endpoint, lease.Connections, version == HttpVersion.Version20, deadline?.Token ?? CancellationToken.None, context.RequestAborted).ConfigureAwait(false);
        if (admission.Outcome != AdmissionOutcome.Admitted)
        {
            await RefusedAsync(context, admission.Outcome, deadline?.IsCancellationRequested == true, shaping, info).ConfigureAwait(false);
            return;
        }

        // The transformer reports the response status to the cluster as the headers arrive; a failure is reported here.
        var transformer = new ForwardTransformer(uri, shaping, time, cluster, endpoint);
        var error = await forwarder.SendAsync(context, prefix, lease.Invoker, config, transformer, deadline?.Token ?? CancellationToken.None).ConfigureAwait(false);
        if (endpoint is not null && !transformer.ResponseReceived && UpstreamResults.Failure(context, error, deadline?.IsCancellationRequested == true) is { } failure)
        {
            cluster.Report(endpoint, failure);
        }

        if (error != ForwarderError.None)
        {
            await FailedAsync(context, error, deadline?.IsCancellationRequested == true, shaping, info).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The reply for a request the circuit breakers did not let through: Envoy's overflow reply (503, UO, with
    /// <c>x-envoy-overloaded: true</c>), or, for one that gave up while pending, what a failed forward gets.
    /// </summary>
    private static Task RefusedAsync(HttpContext context, AdmissionOutcome outcome, bool timedOut, ResponseShaping shaping, ProxyRequestInfo info)
    {
        if (outcome == AdmissionOutcome.Cancelled)
        {
            return FailedAsync(context, ForwarderError.RequestCanceled, timedOut, shaping, info);
        }

        shaping.Apply(context);
        context.Response.Headers["x-envoy-overloaded"] = "true";
        return LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, LocalReplies.Overflow, ResponseFlags.UpstreamOverflow);
    }

    /// <summary>The reply for a forward that failed, as Envoy words it; nothing when the client left or the response had started.</summary>
    private static async Task FailedAsync(HttpContext context, ForwarderError error, bool timedOut, ResponseShaping shaping, ProxyRequestInfo info)
    {
        if (context.RequestAborted.IsCancellationRequested || (error == ForwarderError.RequestCanceled && !timedOut))
        {
            info.Flags = ResponseFlags.DownstreamConnectionTermination;
            return;
        }

        if (context.Response.HasStarted)
        {
            info.Flags = timedOut ? ResponseFlags.UpstreamRequestTimeout : ResponseFlags.UpstreamConnectionTermination;
            return;
        }

        LocalReplies.Reset(context.Response);
        shaping.Apply(context);
        if (timedOut)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status504GatewayTimeout, "upstream request timeout", ResponseFlags.UpstreamRequestTimeout).ConfigureAwait(false);
            return;
        }

        if (error == ForwarderError.RequestBodyClient)
        {
            // The client's own body was malformed or cut: a downstream protocol error, as Envoy answers it.
            context.Response.Headers.Connection = "close";
            await LocalReplies.SendAsync(context, StatusCodes.Status400BadRequest, string.Empty, ResponseFlags.DownstreamProtocolError).ConfigureAwait(false);
            return;
        }

        if (error == ForwarderError.RequestTimedOut)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status408RequestTimeout, "stream timeout", ResponseFlags.StreamIdleTimeout).ConfigureAwait(false);
            return;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var socket = FindSocketError(exception);
        var connectFailed = exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } || socket is not null;
        var body = connectFailed
            ? $"upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: {socket?.Message ?? exception?.Message ?? "unknown"}"
            : "upstream connect error or disconnect/reset before headers. reset reason: connection termination";
        await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, body, connectFailed ? ResponseFlags.UpstreamConnectionFailure : ResponseFlags.UpstreamConnectionTermination).ConfigureAwait(false);
    }

    private static async Task DirectAsync(HttpContext context, ResponseShaping shaping, DirectReply direct)
    {
        shaping.Apply(context);
        var response = context.Response;
        response.StatusCode = direct.Status;
        response.ContentLength = direct.Body.Length;
        if (direct.Body.Length > 0)
        {
            if (StringValues.IsNullOrEmpty(response.Headers.ContentType))
            {
                response.ContentType = "text/plain";
            }

            await response.Body.WriteAsync(direct.Body).ConfigureAwait(false);
        }
    }

    /// <summary>The path sent upstream: the route's prefix or regex rewrite applied to the path, the query kept.</summary>
    private static string UpstreamPath(ForwardAction action, RouteEntry route, RouteRequest request)
    {
        var pathOnly = request.PathOnly;
        var query = request.Path[pathOnly.Length..];
        if (action.PrefixRewrite is { } prefix)
        {
            return prefix + pathOnly[Math.Min(route.Condition.Path.MatchedLength(pathOnly), pathOnly.Length)..] + query;
        }

        if (action.RegexRewrite is { } rewrite)
        {
            return rewrite.Pattern.Replace(pathOnly, rewrite.Substitution) + query;
        }

        return request.Path;
    }

    /// <summary>
    /// The route timeout; with <c>max_grpc_timeout</c> set, a gRPC request's own <c>grpc-timeout</c> wins, capped by the
    /// maximum unless it is zero, less the offset.
    /// </summary>
    private static TimeSpan Timeout(ForwardAction action, RouteRequest request)
    {
        if (action.MaxGrpcTimeout is { } max
            && (request.Header("content-type")?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ?? false)
            && RequestHeaders.GrpcTimeout(request.Header("grpc-timeout")) is { } asked)
        {
            var timeout = max > TimeSpan.Zero && asked > max ? max : asked;
            return timeout > action.GrpcTimeoutOffset ? timeout - action.GrpcTimeoutOffset : timeout;
        }

        return action.Timeout;
    }

    /// <summary>
    /// Where an ORIGINAL_DST cluster sends: the address in its request header when it reads one, else the original
    /// destination (in local mode the authority asked for, or the workload's port on this host), with the port override.
    /// </summary>
    private static string? OriginalDestination(ClusterModel cluster, LocalDestination destination, RouteRequest request)
    {
        string host;
        int port;
        if (cluster.OriginalDestinationHeader is { } header)
        {
            if (request.Header(header) is not { Length: > 0 } value || !IPEndPoint.TryParse(value, out var endpoint) || endpoint.Port == 0)
            {
                return null;
            }

            (host, port) = (endpoint.Address.ToString(), endpoint.Port);
        }
        else
        {
            (host, port) = (destination.Host, destination.Port);
        }

        return HostPort.Join(host, cluster.UpstreamPortOverride ?? port);
    }

    private static void RewriteHost(HttpContext context, HostRewrite rewrite, ClusterModel cluster, UpstreamHost? host, RouteRequest request, bool appendForwardedHost)
    {
        var value = rewrite.Kind switch
        {
            HostRewriteKind.Literal => rewrite.Value,
            HostRewriteKind.Header => request.Header(rewrite.Value),
            HostRewriteKind.PathRegex => rewrite.Pattern!.Replace(request.PathOnly, rewrite.Value),
            HostRewriteKind.Auto when host is { Hostname.Length: > 0 } => host.Hostname,
            HostRewriteKind.Auto when host is not null && cluster.Kind is DiscoveryKind.StrictDns or DiscoveryKind.LogicalDns => host.Address,
            _ => null,
        };
        if (string.IsNullOrEmpty(value) || value == request.Authority)
        {
            return;
        }

        if (appendForwardedHost)
        {
            var headers = context.Request.Headers;
            headers["x-forwarded-host"] = StringValues.IsNullOrEmpty(headers["x-forwarded-host"]) ? request.Authority : headers["x-forwarded-host"] + "," + request.Authority;
        }

        context.Request.Host = new HostString(value);
    }

    private static ResponseShaping Shaping(RouteTable routes, VirtualHostEntry vhost, RouteEntry route, WeightedTarget? entry) =>
        new(Levels(routes, entry?.Response, route.Response, vhost.Response, routes.Response), vhost.IncludeAttemptCountInResponse);

    /// <summary>The levels' edits in the order Envoy applies them: most specific first, unless the configuration reverses it.</summary>
    private static HeaderMutation[] Levels(RouteTable routes, HeaderMutation? entry, HeaderMutation route, HeaderMutation vhost, HeaderMutation config)
    {
        HeaderMutation[] levels = entry is null ? [route, vhost, config] : [entry, route, vhost, config];
        if (routes.MostSpecificHeaderMutationsWins)
        {
            Array.Reverse(levels);
        }

        return levels;
    }

    private static SocketException? FindSocketError(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }
}
