using System.Globalization;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Upstream;
using Weft.Proxy.Http.Retries;
using Yarp.ReverseProxy.Forwarder;

namespace Weft.Proxy.Http;

/// <summary>
/// What one forwarded attempt needs from YARP: the request headers as the router left them (copied by the base class)
/// and the upstream URI with the rewritten path; on the way back, the attempt's retry decision first (a response it
/// retries is dropped before anything of it is copied), then <c>x-envoy-upstream-service-time</c> (milliseconds from
/// sending the request to its response headers) and the response header edits of the route. As response headers
/// arrive, before anything reaches the client, their status is reported to the cluster the endpoint belongs to
/// (outlier detection), retried or not. A connection the request opens offers the ALPN of <paramref name="alpn"/> when set.
/// </summary>
internal sealed class ForwardTransformer(Uri target, ResponseShaping shaping, TimeProvider time, UpstreamAttempt attempt, ClusterRuntime? cluster = null, UpstreamEndpoint? endpoint = null, Snapshot.Filters.AlpnOverrides? alpn = null) : HttpTransformer
{
    private long _sentAt;

    /// <summary>The router's <c>suppress_envoy_headers</c>: no <c>x-envoy-upstream-service-time</c> on the response.</summary>
    public bool SuppressEnvoyHeaders { get; init; }

    /// <summary>Keeps this proxy's peer metadata headers from the upstream (an external cluster under <c>metadataExchangeHeaders: IN_MESH</c>).</summary>
    public bool DropPeerMetadata { get; init; }

    /// <summary>Whether response headers arrived from upstream (their status is then reported already).</summary>
    public bool ResponseReceived { get; private set; }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.RequestUri = target;
        if (DropPeerMetadata)
        {
            proxyRequest.Headers.Remove(Telemetry.PeerMetadataExchange.IdHeader);
            proxyRequest.Headers.Remove(Telemetry.PeerMetadataExchange.MetadataHeader);
        }

        if (endpoint is not null && cluster!.Model.Connection.Transport.Any)
        {
            // The connection pool reads it when it opens a connection, to pick the endpoint's transport socket (TLS
            // clusters only: a plaintext cluster's connections need nothing of the endpoint).
            proxyRequest.Options.Set(UpstreamTransports.HostOption, endpoint.Host);
        }

        if (alpn is not null)
        {
            proxyRequest.Options.Set(UpstreamTransports.AlpnOption, alpn);
        }

        _sentAt = time.GetTimestamp();
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null)
        {
            ResponseReceived = true;
            if (endpoint is not null)
            {
                cluster!.Report(endpoint, UpstreamResults.Response(httpContext, proxyResponse));
            }

            if (!attempt.Accept(proxyResponse))
            {
                return false;
            }
        }

        var forward = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
        if (proxyResponse is not null)
        {
            if (!SuppressEnvoyHeaders)
            {
                var elapsed = time.GetElapsedTime(_sentAt);
                httpContext.Response.Headers["x-envoy-upstream-service-time"] = ((long)elapsed.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            }
            shaping.Apply(httpContext);
        }

        return forward;
    }
}
