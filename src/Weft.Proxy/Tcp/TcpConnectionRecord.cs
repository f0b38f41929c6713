using System.Net;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Tcp;

/// <summary>
/// One connection on the TCP path, as telemetry and access logs see it: where it came in (listener, chain, stat
/// prefix, peers), where it went (cluster, upstream host), the bytes moved each way (live counters, readable while the
/// connection is open, as Istio's periodic TCP reports need) and Envoy's response flags for how it ended.
/// </summary>
internal sealed class TcpConnectionRecord
{
    private readonly Lock _reportGate = new();
    private long _received;
    private long _sent;
    private long _reportedReceived;
    private long _reportedSent;

    public required string Listener { get; init; }

    public required string FilterChain { get; init; }

    public required string StatPrefix { get; init; }

    /// <summary>The listener's direction: inbound connections report as the destination, others as the source.</summary>
    public required TrafficDirection Direction { get; init; }

    public required EndPoint? DownstreamRemote { get; init; }

    public required EndPoint? DownstreamLocal { get; init; }

    /// <summary>The connection's original destination (captured, CONNECT), when known.</summary>
    public string? OriginalDestination { get; init; }

    public required DateTimeOffset StartTime { get; init; }

    /// <summary>The access logs the connection's TCP proxy asks for (the proxy's own <c>--access-log</c> comes on top).</summary>
    public IReadOnlyList<Telemetry.AccessLog.AccessLogConfig> AccessLogs { get; init; } = [];

    /// <summary>Istio's stats filter of its filter chain; null when the chain has none (the connection counts in no standard metric).</summary>
    public Telemetry.Metrics.StatsConfig? Stats { get; init; }

    /// <summary>The cluster drawn for the connection (it may not exist: then <see cref="ClusterModel"/> is null).</summary>
    public string Cluster { get; set; } = string.Empty;

    public ClusterModel? ClusterModel { get; set; }

    /// <summary>The endpoint the cluster's balancer chose (null for an original destination, or when none was).</summary>
    public UpstreamHost? Upstream { get; set; }

    /// <summary>The upstream <c>host:port</c> once connected.</summary>
    public string UpstreamHost { get; set; } = string.Empty;

    /// <summary>Envoy's response flags (<c>UF</c>, <c>UH</c>, <c>NC</c>, <c>DT</c>, comma-separated); empty when none.</summary>
    public string Flags { get; set; } = string.Empty;

    /// <summary>Why the proxy closed the connection (network RBAC's <c>rbac_access_denied_matched_policy[…]</c>); empty otherwise.</summary>
    public string TerminationDetails { get; set; } = string.Empty;

    /// <summary>How many upstream connections were tried.</summary>
    public int ConnectAttempts { get; set; }

    /// <summary>Why the last upstream connection attempt failed, in Envoy's reset-reason words (<c>connection failure</c>, <c>connection timeout</c>); null when none did.</summary>
    public string? ConnectFailure { get; set; }

    /// <summary>Whether the client connection is mutual TLS (terminated by the chain); null when it is not TLS.</summary>
    public bool? MutualTls { get; init; }

    /// <summary>
    /// Inbound, the client certificate's URI SAN on a mutual-TLS connection; outbound, this proxy's certificate's on the
    /// upstream TLS connection; empty otherwise.
    /// </summary>
    public string SourcePrincipal { get; set; } = string.Empty;

    /// <summary>
    /// Inbound, this proxy's certificate's URI SAN on a mutual-TLS connection; outbound, the upstream server's
    /// certificate's on the upstream TLS connection; empty otherwise.
    /// </summary>
    public string DestinationPrincipal { get; set; } = string.Empty;

    /// <summary>The client's workload, as it described itself by Istio's TCP metadata exchange; null when it did not.</summary>
    public Telemetry.WorkloadMetadata? DownstreamPeer { get; set; }

    /// <summary>The upstream's workload, as it described itself by Istio's TCP metadata exchange; null when it did not.</summary>
    public Telemetry.WorkloadMetadata? UpstreamPeer { get; set; }

    /// <summary>Where the connection's Istio TCP metrics go, from when it opened until it closed.</summary>
    internal Telemetry.TcpConnectionReport? Report { get; set; }

    /// <summary>Reports the bytes into <see cref="Report"/> periodically while the connection is open.</summary>
    internal ITimer? ReportTimer { get; set; }

    /// <summary>Bytes from the client, sent upstream.</summary>
    public long ReceivedBytes => Volatile.Read(ref _received);

    /// <summary>Bytes from upstream, sent to the client.</summary>
    public long SentBytes => Volatile.Read(ref _sent);

    public TimeSpan Duration { get; set; }

    /// <summary>Adds the bytes moved since the last report to the connection's metrics (the periodic report).</summary>
    internal void ReportBytes()
    {
        lock (_reportGate)
        {
            ReportBytesLocked();
        }
    }

    /// <summary>The last report: the bytes not reported yet, then the close; nothing after.</summary>
    internal void CloseReport()
    {
        lock (_reportGate)
        {
            ReportBytesLocked();
            Report?.Closed();
            Report = null;
        }
    }

    private void ReportBytesLocked()
    {
        if (Report is not { } report)
        {
            return;
        }

        var received = ReceivedBytes;
        var sent = SentBytes;
        report.Received(received - _reportedReceived);
        report.Sent(sent - _reportedSent);
        _reportedReceived = received;
        _reportedSent = sent;
    }

    internal void AddReceived(long bytes) => Interlocked.Add(ref _received, bytes);

    internal void AddSent(long bytes) => Interlocked.Add(ref _sent, bytes);
}
