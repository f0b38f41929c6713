using Weft.Proxy.Http;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Telemetry.Metrics;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// Where the TCP path reports proxied connections for Istio's TCP metrics
/// (<c>istio_tcp_connections_opened_total</c>, <c>..._closed_total</c>, <c>istio_tcp_received_bytes_total</c>,
/// <c>istio_tcp_sent_bytes_total</c>). Call <see cref="Opened"/> once the upstream is chosen, then
/// <see cref="TcpConnectionReport.Received"/> and <see cref="TcpConnectionReport.Sent"/> as bytes move (any granularity;
/// they only add), and <see cref="TcpConnectionReport.Closed"/> once when the connection ends.
/// </summary>
internal sealed class TcpTelemetry(IstioMetrics metrics)
{
    /// <summary>Counts a connection as opened and returns where to report its bytes and its end.</summary>
    /// <param name="role">The listener it came in on: <see cref="ListenerRole.Inbound"/> reports as destination, otherwise as source.</param>
    /// <param name="cluster">The cluster it is proxied to (its service metadata names the destination service); null when none.</param>
    /// <param name="upstream">The endpoint chosen; its workload metadata describes the destination on the outbound side.</param>
    /// <param name="peer">The peer's metadata when an exchange told it (inbound: the client; outbound: the server); it wins over the endpoint's.</param>
    /// <param name="flags">Envoy's response flags known at open (for example <c>UF</c> when connecting failed), or empty.</param>
    /// <param name="mutualTls">Whether the downstream connection is mutual TLS; null leaves Istio's default (inbound plaintext <c>none</c>, outbound <c>unknown</c>).</param>
    /// <param name="stats">The chain's stats filter, which shapes the labels, and <paramref name="values"/> its expressions' values for the connection.</param>
    public TcpConnectionReport Opened(ListenerRole role, ClusterModel? cluster, UpstreamHost? upstream, StatsConfig stats, ExpressionValues values, WorkloadMetadata? peer = null, string flags = "", bool? mutualTls = null, string sourcePrincipal = "", string destinationPrincipal = "")
    {
        var inbound = role == ListenerRole.Inbound;
        var (host, name, ns) = DestinationService.Of(string.Empty, cluster?.Name ?? string.Empty, cluster?.Service, string.Empty);
        var labels = new PeerLabels(inbound, peer ?? (inbound ? null : upstream?.Workload), host, name, ns, inbound ? mutualTls ?? false : mutualTls, sourcePrincipal, destinationPrincipal);
        var series = metrics.Tcp(new TcpSeriesKey(labels, flags, stats, values));
        series.Open();
        metrics.TcpConnectionsOpened.Increment();
        return new TcpConnectionReport(series);
    }
}

/// <summary>One proxied connection's place in the TCP metrics.</summary>
internal readonly struct TcpConnectionReport
{
    private readonly TcpSeries _series;

    internal TcpConnectionReport(TcpSeries series) => _series = series;

    /// <summary>Bytes read from the downstream client (sent towards the upstream).</summary>
    public void Received(long bytes) => _series.AddReceived(bytes);

    /// <summary>Bytes written to the downstream client (coming from the upstream).</summary>
    public void Sent(long bytes) => _series.AddSent(bytes);

    /// <summary>The connection ended; call once.</summary>
    public void Closed() => _series.Close();
}
