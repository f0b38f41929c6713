using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Telemetry;

namespace Weft.Proxy.Http;

/// <summary>What the proxy decided for a request, kept on the request for logs and telemetry.</summary>
internal sealed class ProxyRequestInfo
{
    public string Listener { get; set; } = string.Empty;

    public string FilterChain { get; set; } = string.Empty;

    public string VirtualHost { get; set; } = string.Empty;

    public string Route { get; set; } = string.Empty;

    public string Cluster { get; set; } = string.Empty;

    public string UpstreamHost { get; set; } = string.Empty;

    /// <summary>
    /// Envoy's response flags for the outcome, comma-separated in the order they were set (as Envoy prints them); empty
    /// when the request was served normally.
    /// </summary>
    public string Flags { get; set; } = string.Empty;

    /// <summary>The endpoint the request was forwarded to (its workload metadata names the destination); null when not forwarded.</summary>
    public UpstreamHost? Upstream { get; set; }

    /// <summary>
    /// Whether the downstream connection is mutual TLS, for <c>connection_security_policy</c> on the inbound side; null
    /// (plaintext until TLS termination sets it) reports <c>none</c> there. The outbound side always reports <c>unknown</c>.
    /// </summary>
    public bool? MutualTls { get; set; }

    /// <summary>The identities of the upstream TLS connection (outbound principals in telemetry); null when plaintext or not forwarded.</summary>
    public Tls.UpstreamTlsPeer? UpstreamTls { get; set; }

    /// <summary>Envoy's <c>%RESPONSE_CODE_DETAILS%</c> when whoever answered knows it; otherwise derived from the flag.</summary>
    public string Details { get; set; } = string.Empty;

    /// <summary>
    /// The request's dynamic metadata, created by the first filter that writes any (JWT authentication must leave the
    /// token's claims here before authorization runs); null while none has.
    /// </summary>
    public Authorization.DynamicMetadata? Metadata { get; set; }

    // What telemetry keeps between the start and the end of the request.
    internal HttpContext? Context { get; set; }

    internal RequestTelemetry? Telemetry { get; set; }

    /// <summary>Whether the request came in on an inbound listener (the capture port or a Sidecar ingress one): telemetry reports it as the destination.</summary>
    internal bool Inbound { get; set; }

    internal long StartTimestamp { get; set; }

    internal ProxySnapshot? Snapshot { get; set; }

    internal Snapshot.Listeners.ConnectionManagerModel? Manager { get; set; }

    /// <summary>The client's address its upstream connections come from (original_src); null for the cluster's own.</summary>
    internal Listeners.OriginalSource? OriginalSource { get; set; }

    /// <summary>The client, as its metadata exchange headers describe it; null when it sent none this proxy could read.</summary>
    internal WorkloadMetadata? DownstreamPeer { get; set; }

    /// <summary>The upstream, as its response's metadata exchange headers describe it.</summary>
    internal WorkloadMetadata? UpstreamPeer { get; set; }

    /// <summary>The peer of the request's series: the client inbound, the upstream outbound.</summary>
    internal WorkloadMetadata? Peer => Inbound ? DownstreamPeer : UpstreamPeer;

    /// <summary>The request carried the exchange's id header, so the response carries this proxy's.</summary>
    internal bool PeerIdReceived { get; set; }

    /// <summary>The request carried the exchange's metadata header, so the response carries this proxy's.</summary>
    internal bool PeerMetadataReceived { get; set; }

    internal CountingResponseBody? ResponseBody { get; set; }

    internal CountingRequestBody? RequestBody { get; set; }

    /// <summary>Counts a gRPC request's messages; null unless the request is gRPC.</summary>
    internal GrpcFrameCounter? RequestFrames { get; set; }

    /// <summary>A gRPC stream's periodic report of its message counts; null unless the request is gRPC.</summary>
    internal ITimer? MessageReport { get; set; }

    /// <summary>The labels the message counts go under, fixed at their first report.</summary>
    internal (PeerLabels Labels, Telemetry.Metrics.ExpressionValues Values)? MessageLabels { get; set; }

    /// <summary>The request and response messages already reported.</summary>
    internal (long Requests, long Responses) MessagesReported { get; set; }

    /// <summary>The final report of the message counts is made: later ticks add nothing.</summary>
    internal bool MessagesDone { get; set; }

    /// <summary>Adds a flag unless it is empty or already set (a delayed request that then fails carries both).</summary>
    public void AddFlag(string flag)
    {
        if (flag.Length == 0 || HasFlag(flag))
        {
            return;
        }

        Flags = Flags.Length == 0 ? flag : Flags + "," + flag;
    }

    public bool HasFlag(string flag)
    {
        foreach (var range in Flags.AsSpan().Split(','))
        {
            if (Flags.AsSpan()[range].SequenceEqual(flag))
            {
                return true;
            }
        }

        return false;
    }
}
