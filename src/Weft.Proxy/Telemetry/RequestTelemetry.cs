using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Http;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Telemetry.AccessLog;
using Weft.Proxy.Telemetry.Metrics;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// Telemetry for each HTTP request on the outbound and inbound listeners, from one place: <see cref="Begin"/> when the
/// request arrives (the metadata exchange's request side, body counting, the clock), and a completion callback once the
/// response has been sent, which records Istio's standard metrics and writes the access log entries. A gRPC stream's
/// message counts are also reported every <paramref name="reportingInterval"/> while it lasts, once its peer is known,
/// as Istio's stats filter reports them (at its <c>tcp_reporting_duration</c>), so a long stream shows in the counters
/// before it ends.
/// </summary>
internal sealed class RequestTelemetry(IstioMetrics metrics, PeerMetadataExchange exchange, AccessLogs logs, TimeProvider time, TimeSpan reportingInterval)
{
    private static readonly string[] StatusTexts = Enumerable.Range(0, 600).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

    public IstioMetrics Metrics => metrics;

    public AccessLogs Logs => logs;

    public void Begin(HttpContext context, ProxyRequestInfo info, ListenerRole role)
    {
        info.Context = context;
        info.Telemetry = this;
        info.Inbound = IsInbound(context, role);
        info.StartTimestamp = time.GetTimestamp();
        var body = new CountingResponseBody(context.Features.Get<IHttpResponseBodyFeature>()!);
        context.Features.Set<IHttpResponseBodyFeature>(body);
        info.ResponseBody = body;
        if (IsGrpc(context.Request.ContentType))
        {
            // Istio's gRPC message counts: the frames are counted as the bodies stream through, nothing is buffered.
            info.RequestFrames = new GrpcFrameCounter();
            body.Frames = new GrpcFrameCounter();
            info.RequestBody = new CountingRequestBody(context.Request.Body, info.RequestFrames);
            context.Request.Body = info.RequestBody;
        }
        else if (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
            info.RequestBody = new CountingRequestBody(context.Request.Body);
            context.Request.Body = info.RequestBody;
        }

        context.Response.OnStarting(static state => ((ProxyRequestInfo)state).Telemetry!.Starting((ProxyRequestInfo)state), info);
        context.Response.OnCompleted(static state => ((ProxyRequestInfo)state).Telemetry!.Completed((ProxyRequestInfo)state), info);
    }

    /// <summary>
    /// The request side of the connection manager's peer metadata exchange, before anything else reads the request (the
    /// filter is the manager's first): the client's metadata is read and stripped, so the application behind this proxy
    /// never sees it, and this proxy's is set for the upstream (withheld per cluster by the router).
    /// </summary>
    public void ExchangeRequest(ProxyRequestInfo info, PeerHeaderExchange? peerHeaders)
    {
        var interval = info.Manager?.Stats?.ReportingInterval ?? reportingInterval;
        if (info.RequestFrames is not null && info.Manager?.Stats is not null && interval > TimeSpan.Zero)
        {
            // The ticks need nothing of the request's execution context.
            using (ExecutionContext.SuppressFlow())
            {
                info.MessageReport = time.CreateTimer(static state => Tick((ProxyRequestInfo)state!), info, interval, interval);
            }
        }

        if (peerHeaders is null)
        {
            return;
        }

        var headers = info.Context!.Request.Headers;
        if (peerHeaders.DiscoverDownstream)
        {
            info.PeerIdReceived = headers.Remove(PeerMetadataExchange.IdHeader);
            if (headers.TryGetValue(PeerMetadataExchange.MetadataHeader, out var peer))
            {
                info.PeerMetadataReceived = true;
                info.DownstreamPeer = exchange.Decode(peer.ToString());
                headers.Remove(PeerMetadataExchange.MetadataHeader);
            }
        }

        if (peerHeaders.SendUpstream)
        {
            headers[PeerMetadataExchange.IdHeader] = exchange.LocalId;
            headers[PeerMetadataExchange.MetadataHeader] = exchange.LocalMetadata;
        }
    }

    /// <summary>
    /// The response side of the exchange: the upstream's metadata is read and stripped; the client is answered with this
    /// proxy's, each header only if its request carried the same one.
    /// </summary>
    private Task Starting(ProxyRequestInfo info)
    {
        if (info.Manager?.PeerHeaders is not { } peerHeaders)
        {
            return Task.CompletedTask;
        }

        var headers = info.Context!.Response.Headers;
        if (peerHeaders.DiscoverUpstream)
        {
            if (headers.TryGetValue(PeerMetadataExchange.MetadataHeader, out var peer))
            {
                info.UpstreamPeer = exchange.Decode(peer.ToString());
            }

            headers.Remove(PeerMetadataExchange.MetadataHeader);
            headers.Remove(PeerMetadataExchange.IdHeader);
        }

        if (peerHeaders.AnswerDownstream)
        {
            if (info.PeerIdReceived)
            {
                headers[PeerMetadataExchange.IdHeader] = exchange.LocalId;
            }

            if (info.PeerMetadataReceived)
            {
                headers[PeerMetadataExchange.MetadataHeader] = exchange.LocalMetadata;
            }
        }

        return Task.CompletedTask;
    }

    private Task Completed(ProxyRequestInfo info)
    {
        // No tick may run once the request is over (its context may soon serve another).
        info.MessageReport?.Dispose();
        var context = info.Context!;
        var response = context.Response;
        var elapsed = time.GetElapsedTime(info.StartTimestamp);
        var durationMs = (long)elapsed.TotalMilliseconds;
        var code = response.HasStarted ? response.StatusCode : 0;
        var requestBytes = info.RequestBody?.BytesRead ?? context.Request.ContentLength ?? 0;
        var responseBytes = info.ResponseBody?.Written ?? 0;
        var inbound = info.Inbound;
        var grpc = info.RequestFrames is not null; // Begin's test of the content type

        // Expressions read the request here, on its completion, while its context is still its own.
        RequestAttributes? attributes = null;
        RequestAttributes Attributes() => attributes ??= new RequestAttributes(info, code, Details(info, context), requestBytes, responseBytes, elapsed, time.GetUtcNow() - elapsed);
        // A request no connection manager took (this proxy answered it itself, e.g. 404 NR for a host no chain serves)
        // counts as under Istio's default stats filter; one a manager took counts only if that manager has the filter.
        if ((info.Manager is null ? StatsConfig.Standard : info.Manager.Stats) is { } stats)
        {
            var labels = Labels(info, inbound, stats);
            var values = stats.Evaluate(stats.Expressions.Count > 0 ? Attributes() : null);
            var key = new HttpSeriesKey(labels, grpc, code, grpc ? GrpcStatus(context) : string.Empty, info.Flags, stats, values);
            metrics.RecordRequest(key, durationMs, requestBytes, responseBytes);
            if (info.RequestFrames is not null)
            {
                ReportMessages(info, final: true, (labels, values));
            }
        }

        var targets = logs.For(info.Manager);
        if (targets.Length == 0)
        {
            return Task.CompletedTask;
        }

        if (AccessLogTarget.UseAttributes(targets))
        {
            Attributes();
        }

        var facts = new AccessLogFacts(info.Flags, code, attributes);
        foreach (var log in targets)
        {
            if (log.Accepts(facts))
            {
                log.Writer.Enqueue(Entry(log.Format, info, code, requestBytes, responseBytes, durationMs, elapsed));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Adds what a gRPC stream's message counts grew by since the last report, under the labels of its first report.
    /// A periodic report waits until the peer is known (its metadata exchanged) and the request routed, as Istio's waits
    /// for the peer; the final one does not.
    /// </summary>
    private static void ReportMessages(ProxyRequestInfo info, bool final, (PeerLabels Labels, ExpressionValues Values)? known = null)
    {
        var telemetry = info.Telemetry!;
        if (info.Manager?.Stats is not { } stats)
        {
            return;
        }

        lock (info)
        {
            // A tick that comes after the end has nothing to add (and the request's context may serve another by then).
            if (info.MessagesDone || (!final && info.MessageLabels is null && (info.Peer is null || info.Cluster.Length == 0)))
            {
                return;
            }

            info.MessagesDone = final;
            var (labels, values) = info.MessageLabels ??= known ?? (telemetry.Labels(info, info.Inbound, stats), stats.Evaluate(stats.Expressions.Count > 0 ? telemetry.Progress(info) : null));
            var requests = info.RequestFrames?.Messages ?? 0;
            var responses = info.ResponseBody?.Frames?.Messages ?? 0;
            var (reportedRequests, reportedResponses) = info.MessagesReported;
            if (requests != reportedRequests || responses != reportedResponses || final)
            {
                telemetry.Metrics.RecordMessages(labels, stats, values, requests - reportedRequests, responses - reportedResponses);
                info.MessagesReported = (requests, responses);
            }
        }
    }

    /// <summary>A periodic report; nothing it meets may escape a timer callback (that would end the process).</summary>
    private static void Tick(ProxyRequestInfo info)
    {
        try
        {
            ReportMessages(info, final: false);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or NullReferenceException)
        {
            // The request ended under the tick: its final report counts everything.
        }
    }

    /// <summary>
    /// Istio's reporter, and whose metadata labels the series' peer, follow the listener's direction: the capture port's
    /// inbound role, or an inbound listener the proxy bound itself (a Sidecar ingress with captureMode NONE).
    /// </summary>
    private static bool IsInbound(HttpContext context, ListenerRole role) =>
        role == ListenerRole.Inbound
        || (role == ListenerRole.Dynamic && context.Features.Get<Listeners.ConnectionRoute>()?.Listener.Direction == Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound);

    /// <summary>
    /// The peer, destination service and principals of the request's series. The destination service falls back to the
    /// Host header only where the stats filter allows it (istiod forbids it on inbound and gateway listeners).
    /// </summary>
    private PeerLabels Labels(ProxyRequestInfo info, bool inbound, StatsConfig stats)
    {
        var context = info.Context!;
        var cluster = info.Cluster.Length > 0 && info.Snapshot?.Clusters.TryGetValue(info.Cluster, out var runtime) == true ? runtime.Model : null;
        var (host, name, ns) = DestinationService.Of(info.Route, info.Cluster, cluster?.Service, stats.DisableHostHeaderFallback ? string.Empty : context.Request.Host.Value ?? string.Empty);
        var peer = info.Peer ?? (inbound ? null : info.Upstream?.Workload);
        var tls = inbound ? context.Features.Get<Tls.DownstreamTlsFeature>() : null;
        var mutual = tls?.PeerCertificate is not null;
        string sourcePrincipal, destinationPrincipal;
        if (inbound)
        {
            sourcePrincipal = mutual ? (context.Features.Get<Authorization.PeerIdentity>()?.UriSans is [var uri, ..] ? uri : string.Empty) : string.Empty;
            destinationPrincipal = mutual ? tls!.LocalUri : string.Empty;
        }
        else
        {
            // The client side reads both from the upstream TLS connection (unknown over plaintext), as Istio's does.
            sourcePrincipal = info.UpstreamTls?.LocalPrincipal ?? string.Empty;
            destinationPrincipal = info.UpstreamTls?.PeerPrincipal ?? string.Empty;
        }

        return new PeerLabels(inbound, peer, host, name, ns, inbound ? info.MutualTls ?? mutual : null, sourcePrincipal, destinationPrincipal);
    }

    /// <summary>A gRPC stream's attributes as a periodic report sees them, before it completes.</summary>
    private RequestAttributes Progress(ProxyRequestInfo info)
    {
        var context = info.Context!;
        var elapsed = time.GetElapsedTime(info.StartTimestamp);
        var code = context.Response.HasStarted ? context.Response.StatusCode : 0;
        return new RequestAttributes(info, code, info.Details, info.RequestBody?.BytesRead ?? 0, info.ResponseBody?.Written ?? 0, elapsed, time.GetUtcNow() - elapsed);
    }

    private AccessLogEntry Entry(AccessLogFormat format, ProxyRequestInfo info, int code, long requestBytes, long responseBytes, long durationMs, TimeSpan elapsed)
    {
        var context = info.Context!;
        var request = context.Request;
        var connection = context.Connection;
        var requestHeaders = new string?[format.RequestHeaders.Count];
        for (var i = 0; i < requestHeaders.Length; i++)
        {
            var header = format.RequestHeaders[i];
            requestHeaders[i] = header.StartsWith(':') ? HeaderAttributeMap.PseudoHeader(context, header) : Text(request.Headers[header]);
        }

        var responseHeaders = new string?[format.ResponseHeaders.Count];
        for (var i = 0; i < responseHeaders.Length; i++)
        {
            responseHeaders[i] = format.ResponseHeaders[i] == ":status" ? StatusText(code) : Text(context.Response.Headers[format.ResponseHeaders[i]]);
        }

        return new AccessLogEntry
        {
            StartTime = time.GetUtcNow() - elapsed,
            Protocol = request.Protocol,
            ResponseCode = code,
            ResponseFlags = info.Flags,
            ResponseCodeDetails = Details(info, context),
            BytesReceived = requestBytes,
            BytesSent = responseBytes,
            DurationMs = durationMs,
            UpstreamHost = info.UpstreamHost,
            UpstreamCluster = info.Cluster,
            DownstreamLocalAddress = connection.LocalIpAddress is { } local ? Snapshot.HostPort.Join(local.ToString(), connection.LocalPort) : string.Empty,
            DownstreamRemoteAddress = connection.RemoteIpAddress is { } remote ? Snapshot.HostPort.Join(remote.ToString(), connection.RemotePort) : string.Empty,
            RouteName = info.Route,
            RequestHeaders = requestHeaders,
            ResponseHeaders = responseHeaders,
        };
    }

    private static string Details(ProxyRequestInfo info, HttpContext context) =>
        info.Details.Length > 0 ? info.Details : ResponseCodeDetails.For(info.Flags, info.UpstreamHost.Length > 0, context.Response.HasStarted);

    /// <summary>Envoy's test for a gRPC request: content-type <c>application/grpc</c>, or <c>application/grpc+...</c>.</summary>
    private static bool IsGrpc(string? contentType) =>
        contentType is not null
        && contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == 16 || contentType[16] is '+' or ';');

    /// <summary>The <c>grpc-status</c> of the response: from its trailers, or its headers for a trailers-only response; empty when absent.</summary>
    private static string GrpcStatus(HttpContext context)
    {
        var trailers = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers;
        var status = trailers is not null && trailers.TryGetValue("grpc-status", out var t) ? t : context.Response.Headers["grpc-status"];
        return status.Count > 0 ? status.ToString() : string.Empty;
    }

    private static string StatusText(int code) => (uint)code < StatusTexts.Length ? StatusTexts[code] : code.ToString(CultureInfo.InvariantCulture);

    private static string? Text(StringValues values) => values.Count == 0 ? null : values.ToString();
}
