using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Http.Filters;
using Weft.Proxy.Http.Mirroring;
using Weft.Proxy.Http.Retries;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Weft.Proxy.Http;

/// <summary>
/// Envoy's router for one request: virtual host, route, the connection manager's HTTP filters (fault, CORS) with the
/// route's configs, then the route's action. Forwarding picks the cluster (a weighted split draws on the request's
/// random value), applies the header edits from the most to the least specific level (or the reverse when the
/// configuration asks), rewrites path and Host, starts the route's mirrors, and sends the request through YARP's
/// forwarder: one attempt after another while the retry policy retries what came back (a response it retries never
/// reaches the client), each to an endpoint the cluster's balancer picks (by the route's hash for ring hash and Maglev,
/// avoiding hosts already tried when the policy says so) past the cluster's circuit breakers, after a jittered back-off,
/// within the per-try timeout, and all within the route timeout; every attempt's outcome is reported to the cluster
/// (outlier detection). Failures become Envoy's local replies: 404 no route (NR), 503 unknown cluster (NC), 503 no
/// healthy upstream (UH), 503 circuit breaker overflow (UO), 503 connect failure (UF), 504 timeout (UT), with URX added
/// when the policy ran out of retries.
/// </summary>
internal sealed class Router(UpstreamTransports transports, IHttpForwarder forwarder, TimeProvider time, Func<ulong> random, ProxyEndpoints endpoints, MirrorSender mirrors)
{
    public const string AttemptCount = "x-envoy-attempt-count";
    public const string ExpectedTimeout = "x-envoy-expected-rq-timeout-ms";
    public const string OriginalPath = "x-envoy-original-path";
    public const string IsTimeoutRetry = "x-envoy-is-timeout-retry";
    public const string UpstreamTimeoutHeader = "x-envoy-upstream-rq-timeout-ms";
    public const string PerTryTimeoutHeader = "x-envoy-upstream-rq-per-try-timeout-ms";

    /// <summary>HTTP/2's REFUSED_STREAM error code.</summary>
    private const long RefusedStream = 0x7;

    public async Task RouteAsync(HttpContext context, ProxySnapshot snapshot, ConnectionManagerModel manager, RouteTable routes, RouteRequest request, LocalDestination destination, bool isInternal)
    {
        var info = context.Features.Get<ProxyRequestInfo>()!;
        var vhostKey = routes.VirtualHostHeader is { } header ? request.Header(header) ?? string.Empty : request.Authority;
        var vhost = routes.FindVirtualHost(vhostKey);
        RouteEntry? route = null;
        ulong draw = 0;
        var tlsRedirect = false;
        if (vhost is not null)
        {
            info.VirtualHost = vhost.Name;
            tlsRedirect = vhost.RequireTls == TlsRequirement.All || (vhost.RequireTls == TlsRequirement.ExternalOnly && !isInternal);
            if (!tlsRedirect)
            {
                draw = random();
                route = vhost.FindRoute(request, draw);
                info.Route = route?.Name ?? string.Empty;
            }
        }

        // The connection manager's filters run before the router, whatever the route does (or when there is none).
        if (manager.HttpFilters.Count > 0
            && await HttpFilterChain.RunAsync(context, manager, routes, vhost, route, request, draw, random, time).ConfigureAwait(false))
        {
            return;
        }

        if (vhost is null || (route is null && !tlsRedirect))
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status404NotFound, string.Empty, ResponseFlags.NoRoute).ConfigureAwait(false);
            return;
        }

        if (tlsRedirect)
        {
            context.Response.Headers.Location = $"https://{request.Authority}{request.Path}";
            await LocalReplies.SendAsync(context, StatusCodes.Status301MovedPermanently, string.Empty, string.Empty).ConfigureAwait(false);
            return;
        }

        switch (route!.Behavior)
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

        var policy = action.Retry ?? vhost.Retry ?? RetryPolicyModel.None;
        var envoyHeaders = RequestHeaders.HasEnvoyHeader(headers);
        var retry = RetryState.Create(policy, headers, random, envoyHeaders);
        var (timeout, perTry) = Timeouts(action, policy, request, headers, envoyHeaders);

        string? originalDestination = null;
        if (cluster.Model.Kind == DiscoveryKind.OriginalDst
            && (originalDestination = OriginalDestination(cluster.Model, destination, request)) is null)
        {
            shaping.Apply(context);
            await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, "no healthy upstream", ResponseFlags.NoHealthyUpstream).ConfigureAwait(false);
            return;
        }

        // Upgrades and CONNECT hand the connection over: one attempt, no mirror.
        var tunnel = context.Features.Get<IHttpUpgradeFeature>()?.IsUpgradableRequest == true || HttpMethods.IsConnect(request.Method);
        var mirrorPolicies = tunnel ? [] : action.Mirrors.Count > 0 ? action.Mirrors : vhost.Mirrors.Count > 0 ? vhost.Mirrors : routes.Mirrors;
        var mirrorsTaken = mirrorPolicies.Count == 0 ? [] : mirrorPolicies.Where(m => m.Share.Hit(draw)).ToArray();
        var retries = retry.Enabled && !tunnel ? retry : null;

        // A body is kept (up to the buffer limit) only when a retry or a mirror may need it again.
        var hasBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true;
        var body = hasBody && (retries is not null || mirrorsTaken.Length > 0)
            ? new ReplayableRequestBody(context.Request.Body, (long)Math.Min(route.BodyBufferLimit ?? vhost.BodyBufferLimit ?? manager.BufferLimit, long.MaxValue))
            : null;
        var clientBody = context.Request.Body;

        // Under original_src the upstream connections come from the client's own address, from a pool of their own.
        using var lease = transports.Acquire(cluster.Model, info.OriginalSource);
        var (version, versionPolicy) = cluster.Model.Connection.Protocol switch
        {
            UpstreamProtocol.Http2 => (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact),
            UpstreamProtocol.Downstream when HttpProtocol.IsHttp2(context.Request.Protocol) => (HttpVersion.Version20, HttpVersionPolicy.RequestVersionExact),
            _ => (HttpVersion.Version11, HttpVersionPolicy.RequestVersionExact),
        };
        var idle = action.IdleTimeout is { } routeIdle ? (routeIdle == TimeSpan.Zero ? System.Threading.Timeout.InfiniteTimeSpan : routeIdle) : manager.StreamIdleTimeout;
        var config = new ForwarderRequestConfig { Version = version, VersionPolicy = versionPolicy, ActivityTimeout = idle };

        // The hash policy only matters to (and only runs for) ring hash and Maglev, as in Envoy.
        var hash = cluster.Balancer.UsesHash ? action.HashPolicy?.Compute(context, request) : null;
        if (retries is not null)
        {
            retries.Budget = (cluster.TryAcquireRetry, cluster.State.ReleaseRetry);
        }

        var avoidTried = retries is { Policy.AvoidPreviousHosts: true };
        var reselections = avoidTried ? (int)Math.Min(retries!.Policy.HostSelectionRetryMaxAttempts, 64u) : 0;
        List<UpstreamEndpoint>? tried = null;
        var previousPriorities = retries?.Policy.PreviousPrioritiesUpdateFrequency is { } frequency ? new PreviousPriorities(frequency) : null;
        var multiplexed = version == HttpVersion.Version20;

        // Istio's istio.alpn: only TLS connections of a cluster that allows it take the override.
        var alpn = manager.Alpn is { } overrides && cluster.Model.AlpnOverridable && cluster.Model.Connection.Transport.Any ? overrides : null;

        using var deadline = timeout > TimeSpan.Zero ? new CancellationTokenSource(timeout, time) : null;
        var startedAt = time.GetTimestamp();
        var requestHost = context.Request.Host;
        var forwardedHost = headers["x-forwarded-host"];
        var timeoutRetry = false;
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                if (attempt > 1)
                {
                    shaping.Attempts = attempt;
                }

                UpstreamHost? host = null;
                UpstreamEndpoint? endpoint = null;
                string authority;
                if (originalDestination is not null)
                {
                    authority = originalDestination;
                }
                else if ((endpoint = cluster.Balancer.Pick(random(), hash, avoidTried ? tried : null, reselections, previousPriorities?.Loads(cluster.Balancer))) is not null)
                {
                    host = endpoint.Host;
                    authority = endpoint.Authority;
                    if (retries is not null)
                    {
                        (tried ??= []).Add(endpoint);
                        previousPriorities?.Attempted(endpoint);
                    }
                }
                else
                {
                    LocalReplies.Reset(context.Response);
                    shaping.Apply(context);
                    await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, "no healthy upstream", ResponseFlags.NoHealthyUpstream).ConfigureAwait(false);
                    return;
                }

                if (endpoints.IsOwnListener(authority))
                {
                    shaping.Apply(context);
                    await LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, $"weft proxy: {authority} is this proxy's own listener; forwarding there would loop", ResponseFlags.UpstreamConnectionFailure).ConfigureAwait(false);
                    return;
                }

                info.UpstreamHost = host?.Display ?? authority;
                info.Upstream = host;
                shaping.Attempts = attempt;
                PrepareAttempt(context, vhost, attempt, timeoutRetry, timeout, perTry, startedAt, manager.SuppressEnvoyHeaders);
                if (attempt > 1)
                {
                    RestoreHost(context, requestHost, forwardedHost);
                }

                RewriteHost(context, entry?.HostRewrite is { } literal ? new HostRewrite(HostRewriteKind.Literal, literal) : action.HostRewrite, cluster.Model, host, request, action.AppendXForwardedHost);
                if (attempt == 1 && mirrorsTaken.Length > 0)
                {
                    StartMirrors(context, snapshot, mirrorsTaken, request, upstreamPath, timeout, hasBody ? body : null);
                }

                if (body is not null)
                {
                    context.Request.Body = body.NewAttempt();
                }

                var prefix = "http://" + authority;
                var uri = new Uri(prefix + upstreamPath, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });
                using var admission = await cluster.State.AdmitAsync(endpoint, lease.Connections, multiplexed, deadline?.Token ?? CancellationToken.None, context.RequestAborted).ConfigureAwait(false);
                if (admission.Outcome != AdmissionOutcome.Admitted)
                {
                    await RefusedAsync(context, admission.Outcome, deadline?.IsCancellationRequested == true, attempt > 1, shaping, info, manager.SuppressEnvoyHeaders).ConfigureAwait(false);
                    return;
                }

                using var upstream = new UpstreamAttempt(perTry, time, retries, body, mirrorsTaken.Length > 0, deadline?.Token ?? CancellationToken.None);

                // The transformer reports the response status to the cluster as the headers arrive; a failure is reported here.
                var transformer = new ForwardTransformer(uri, shaping, time, upstream, cluster, endpoint, alpn)
                {
                    SuppressEnvoyHeaders = manager.SuppressEnvoyHeaders,
                    DropPeerMetadata = manager.PeerHeaders is { SendUpstream: true } exchange && exchange.Withholds(cluster.Model),
                };
                var error = await forwarder.SendAsync(context, prefix, lease.Invoker, config, transformer, upstream.Token).ConfigureAwait(false);
                if (cluster.Model.Connection.Transport.Any)
                {
                    info.UpstreamTls = lease.PeerOf(authority);
                }
                if (endpoint is not null && !transformer.ResponseReceived
                    && UpstreamResults.Failure(context, error, deadline?.IsCancellationRequested == true || upstream.PerTryTimedOut) is { } outcome)
                {
                    cluster.Report(endpoint, outcome);
                }

                if (error == ForwarderError.None)
                {
                    if (upstream.ResponseDecision != RetryDecision.Retry)
                    {
                        FlagRetryEnd(info, upstream.ResponseDecision);
                        return;
                    }

                    timeoutRetry = false;
                }
                else
                {
                    var deadlineHit = deadline?.IsCancellationRequested == true;
                    var failure = context.RequestAborted.IsCancellationRequested || deadlineHit || context.Response.HasStarted
                        ? null
                        : Classify(context, error, upstream.PerTryTimedOut);
                    var decision = failure is { } f && retries is not null && (body is null || body.CanReplay)
                        ? retries.ForFailure(f, requestStarted: f != AttemptFailure.ConnectFailure)
                        : RetryDecision.No;
                    if (decision != RetryDecision.Retry)
                    {
                        FlagRetryEnd(info, decision);

                        await FailedAsync(context, error, deadlineHit, upstream.PerTryTimedOut, attempt > 1, shaping, info).ConfigureAwait(false);
                        return;
                    }

                    timeoutRetry = failure == AttemptFailure.PerTryTimeout;
                }

                ClearForRetry(context);
                if (!await BackOffAsync(context, retries!, deadline, shaping).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        finally
        {
            retries?.Finish();
            context.Request.Body = clientBody;
            body?.Dispose();
        }
    }

    /// <summary>The flag for how the retry policy's last decision ended the request: URX when it ran out, UO on overflow.</summary>
    private static void FlagRetryEnd(ProxyRequestInfo info, RetryDecision decision)
    {
        if (decision == RetryDecision.LimitExceeded)
        {
            info.AddFlag(ResponseFlags.UpstreamRetryLimitExceeded);
        }
        else if (decision == RetryDecision.Overflow)
        {
            info.AddFlag(ResponseFlags.UpstreamOverflow);
        }
    }

    /// <summary>
    /// The reply for an attempt the circuit breakers did not let through: Envoy's overflow reply (503, UO, with
    /// <c>x-envoy-overloaded: true</c>), or, for one that gave up while pending, what a failed forward gets.
    /// </summary>
    private static Task RefusedAsync(HttpContext context, AdmissionOutcome outcome, bool timedOut, bool retried, ResponseShaping shaping, ProxyRequestInfo info, bool suppressEnvoyHeaders)
    {
        if (outcome == AdmissionOutcome.Cancelled)
        {
            return FailedAsync(context, ForwarderError.RequestCanceled, timedOut, perTryTimedOut: false, retried, shaping, info);
        }

        LocalReplies.Reset(context.Response);
        shaping.Apply(context);
        if (!suppressEnvoyHeaders)
        {
            context.Response.Headers["x-envoy-overloaded"] = "true";
        }

        return LocalReplies.SendAsync(context, StatusCodes.Status503ServiceUnavailable, LocalReplies.Overflow, ResponseFlags.UpstreamOverflow);
    }

    /// <summary>The request headers that change from one attempt to the next.</summary>
    private void PrepareAttempt(HttpContext context, VirtualHostEntry vhost, int attempt, bool timeoutRetry, TimeSpan timeout, TimeSpan perTry, long startedAt, bool suppressEnvoyHeaders)
    {
        var headers = context.Request.Headers;
        if (vhost.IncludeRequestAttemptCount)
        {
            headers[AttemptCount] = attempt.ToString(CultureInfo.InvariantCulture);
        }

        if (attempt > 1 && vhost.IncludeIsTimeoutRetryHeader)
        {
            headers[IsTimeoutRetry] = timeoutRetry ? "true" : "false";
        }

        // What the upstream may expect: the per-try timeout, else the route timeout, never more than what is left of it.
        var expected = perTry > TimeSpan.Zero ? perTry : timeout;
        if (expected > TimeSpan.Zero && !suppressEnvoyHeaders)
        {
            if (timeout > TimeSpan.Zero)
            {
                var left = timeout - time.GetElapsedTime(startedAt);
                expected = left <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(1) : (expected < left ? expected : left);
            }

            headers[ExpectedTimeout] = ((long)expected.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Puts back the Host an earlier attempt's rewrite changed, so each attempt rewrites the client's own.</summary>
    private static void RestoreHost(HttpContext context, HostString host, StringValues forwardedHost)
    {
        context.Request.Host = host;
        if (StringValues.IsNullOrEmpty(forwardedHost))
        {
            context.Request.Headers.Remove("x-forwarded-host");
        }
        else
        {
            context.Request.Headers["x-forwarded-host"] = forwardedHost;
        }
    }

    /// <summary>Waits out the back-off; false when the route timeout or the client's leaving ended the request meanwhile.</summary>
    private async Task<bool> BackOffAsync(HttpContext context, RetryState retry, CancellationTokenSource? deadline, ResponseShaping shaping)
    {
        var wait = retry.NextBackOff();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, deadline?.Token ?? CancellationToken.None);
        try
        {
            await Task.Delay(wait, time, cancel.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException)
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                context.Features.Get<ProxyRequestInfo>()?.AddFlag(ResponseFlags.DownstreamConnectionTermination);
                return false;
            }

            shaping.Apply(context);
            await LocalReplies.SendAsync(context, StatusCodes.Status504GatewayTimeout, "upstream request timeout", ResponseFlags.UpstreamRequestTimeout).ConfigureAwait(false);
            return false;
        }
    }

    /// <summary>Forgets what a dropped response or failed attempt left on the response, so the next attempt starts clean.</summary>
    private static void ClearForRetry(HttpContext context)
    {
        LocalReplies.Reset(context.Response);
        if (context.Features.Get<IHttpResponseFeature>() is { } feature)
        {
            feature.ReasonPhrase = null;
        }

        context.Features.Set<IForwarderErrorFeature>(null);
    }

    /// <summary>
    /// Sends a copy of the request to each mirror cluster that exists, with the headers and path of the first attempt and
    /// the Host marked <c>-shadow</c> unless the policy says not to; a request's body streams to each mirror as the client
    /// sends it.
    /// </summary>
    private void StartMirrors(HttpContext context, ProxySnapshot snapshot, IReadOnlyList<MirrorPolicy> policies, RouteRequest request, string upstreamPath, TimeSpan timeout, ReplayableRequestBody? body)
    {
        var headers = context.Request.Headers.ToArray();
        var host = context.Request.Host.Value ?? request.Authority;
        foreach (var policy in policies)
        {
            var name = policy.Cluster ?? request.Header(policy.ClusterHeader!);
            if (name is null || !snapshot.Clusters.TryGetValue(name, out var cluster))
            {
                continue;
            }

            var version = cluster.Model.Connection.Protocol == UpstreamProtocol.Http2
                || (cluster.Model.Connection.Protocol == UpstreamProtocol.Downstream && HttpProtocol.IsHttp2(context.Request.Protocol))
                ? HttpVersion.Version20
                : HttpVersion.Version11;
            mirrors.Send(new MirrorRequest(cluster, request.Method, upstreamPath, policy.AppendShadowSuffix ? MirrorPolicy.ShadowHost(host) : host, headers, body?.Follow(), context.Request.ContentLength, version, timeout));
        }
    }

    /// <summary>
    /// The route timeout and the per-try timeout, each as the request's <c>x-envoy-upstream-rq-timeout-ms</c> and
    /// <c>x-envoy-upstream-rq-per-try-timeout-ms</c> override them (the connection manager has removed those unless the
    /// request is internal); both headers are consumed. A per-try timeout not shorter than the route timeout is dropped.
    /// </summary>
    private static (TimeSpan Timeout, TimeSpan PerTry) Timeouts(ForwardAction action, RetryPolicyModel policy, RouteRequest request, IHeaderDictionary headers, bool envoyHeaders)
    {
        var timeout = Timeout(action, request);
        var perTry = policy.PerTryTimeout;
        if (envoyHeaders)
        {
            timeout = Consume(headers, UpstreamTimeoutHeader, timeout);
            perTry = Consume(headers, PerTryTimeoutHeader, perTry);
        }

        if (timeout > TimeSpan.Zero && perTry >= timeout)
        {
            perTry = TimeSpan.Zero;
        }

        return (timeout, perTry);

        // The header's milliseconds when it has a number, else the configured value; the header is removed either way.
        static TimeSpan Consume(IHeaderDictionary headers, string name, TimeSpan configured)
        {
            if (!headers.TryGetValue(name, out var value))
            {
                return configured;
            }

            headers.Remove(name);
            return ulong.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? TimeSpan.FromMilliseconds(ms) : configured;
        }
    }

    /// <summary>What kind of failure an attempt that got no response met; null for failures no policy retries.</summary>
    private static AttemptFailure? Classify(HttpContext context, ForwarderError error, bool perTryTimedOut)
    {
        if (perTryTimedOut)
        {
            return AttemptFailure.PerTryTimeout;
        }

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        return error switch
        {
            ForwarderError.Request or ForwarderError.RequestTimedOut when UpstreamResults.IsConnectFailure(exception) => AttemptFailure.ConnectFailure,
            ForwarderError.Request when UpstreamResults.Find<HttpProtocolException>(exception) is { ErrorCode: RefusedStream } => AttemptFailure.RefusedStream,
            ForwarderError.Request or ForwarderError.RequestBodyDestination => AttemptFailure.Reset,
            _ => null,
        };
    }

    /// <summary>The reply for a forward that failed, as Envoy words it; nothing when the client left or the response had started.</summary>
    private static async Task FailedAsync(HttpContext context, ForwarderError error, bool deadlineHit, bool perTryTimedOut, bool retried, ResponseShaping shaping, ProxyRequestInfo info)
    {
        // An upstream that fails in the middle of the body is the upstream's doing, though YARP then aborts the client.
        var timedOut = deadlineHit || perTryTimedOut;
        var upstreamFailed = error == ForwarderError.ResponseBodyDestination;
        if ((context.RequestAborted.IsCancellationRequested && !upstreamFailed && !timedOut)
            || error == ForwarderError.ResponseBodyClient
            || (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled && !timedOut))
        {
            info.AddFlag(ResponseFlags.DownstreamConnectionTermination);
            return;
        }

        if (context.Response.HasStarted)
        {
            info.AddFlag(timedOut ? ResponseFlags.UpstreamRequestTimeout : ResponseFlags.UpstreamConnectionTermination);
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

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        var connectFailed = UpstreamResults.IsConnectFailure(exception);
        if (error == ForwarderError.RequestTimedOut && !connectFailed)
        {
            await LocalReplies.SendAsync(context, StatusCodes.Status408RequestTimeout, "stream timeout", ResponseFlags.StreamIdleTimeout).ConfigureAwait(false);
            return;
        }

        var body = LocalReplies.UpstreamReset(retried, connectFailed
            ? $"connection failure, transport failure reason: {UpstreamResults.Find<SocketException>(exception)?.Message ?? UpstreamResults.Find<TimeoutException>(exception)?.Message ?? exception?.Message ?? "unknown"}"
            : "connection termination");
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
}
