using System.Collections.Concurrent;
using System.Text;
using Weft.Proxy.Telemetry.Metrics;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// Istio's standard metrics for one proxy. A request's labels are resolved to a series once per distinct key (a small
/// struct of the fields that vary, so the lookup allocates nothing); after that, recording is interlocked adds with no
/// lock. <see cref="Render"/> writes every series in Prometheus' text format.
/// </summary>
internal sealed class IstioMetrics(WorkloadMetadata local)
{
    private readonly ConcurrentDictionary<HttpSeriesKey, HttpSeries> _http = new();
    private readonly ConcurrentDictionary<TcpSeriesKey, TcpSeries> _tcp = new();
    private readonly ConcurrentDictionary<PeerLabels, GrpcMessageSeries> _messages = new();

    public WorkloadMetadata Local { get; } = local;

    /// <summary>How many requests have been recorded.</summary>
    public ProgressCounter RequestsRecorded { get; } = new();

    public void RecordRequest(in HttpSeriesKey key, long durationMs, long requestBytes, long responseBytes)
    {
        if (!_http.TryGetValue(key, out var series))
        {
            series = _http.GetOrAdd(key, k => new HttpSeries(StandardLabels.Http(Local, k.Peer, k.Grpc, k.Code, k.GrpcStatus, k.Flags)));
        }

        series.Record(durationMs, requestBytes, responseBytes);
        RequestsRecorded.Increment();
    }

    /// <summary>
    /// Adds a gRPC request's message counts (<c>istio_request_messages_total</c>, <c>istio_response_messages_total</c>).
    /// Istio's stats filter gives them only the peer labels (reporter through destination_cluster): no protocol, code,
    /// flags or security policy.
    /// </summary>
    public void RecordMessages(in PeerLabels peer, long requestMessages, long responseMessages)
    {
        var key = peer with { MutualTls = null };
        if (!_messages.TryGetValue(key, out var series))
        {
            series = _messages.GetOrAdd(key, k => new GrpcMessageSeries(StandardLabels.Messages(Local, k)));
        }

        series.Add(requestMessages, responseMessages);
    }

    /// <summary>How many TCP connections have been counted as opened.</summary>
    public ProgressCounter TcpConnectionsOpened { get; } = new();

    /// <summary>The TCP series of a connection's labels.</summary>
    public TcpSeries Tcp(in TcpSeriesKey key) =>
        _tcp.TryGetValue(key, out var series) ? series : _tcp.GetOrAdd(key, k => new TcpSeries(StandardLabels.Tcp(Local, k.Peer, k.Flags)));

    /// <summary>Every series, grouped by metric, each metric's series ordered by their labels.</summary>
    public void Render(StringBuilder text)
    {
        var http = _http.Values.OrderBy(s => s.Labels, StringComparer.Ordinal).ToList();
        if (http.Count > 0)
        {
            Counter(text, "istio_requests_total", http, s => s.Requests);
            Histogram(text, "istio_request_duration_milliseconds", http, s => s.Duration);
            Histogram(text, "istio_request_bytes", http, s => s.RequestBytes);
            Histogram(text, "istio_response_bytes", http, s => s.ResponseBytes);
        }

        var messages = _messages.Values.OrderBy(s => s.Labels, StringComparer.Ordinal).ToList();
        if (messages.Count > 0)
        {
            Counter(text, "istio_request_messages_total", messages.Select(s => (s.Labels, s.Requests)));
            Counter(text, "istio_response_messages_total", messages.Select(s => (s.Labels, s.Responses)));
        }

        var tcp = _tcp.Values.OrderBy(s => s.Labels, StringComparer.Ordinal).ToList();
        if (tcp.Count > 0)
        {
            Counter(text, "istio_tcp_connections_closed_total", tcp, s => s.Closed);
            Counter(text, "istio_tcp_connections_opened_total", tcp, s => s.Opened);
            Counter(text, "istio_tcp_received_bytes_total", tcp, s => s.Received);
            Counter(text, "istio_tcp_sent_bytes_total", tcp, s => s.Sent);
        }
    }

    private static void Counter(StringBuilder text, string name, List<HttpSeries> series, Func<HttpSeries, long> value) =>
        Counter(text, name, series.Select(s => (s.Labels, value(s))));

    private static void Counter(StringBuilder text, string name, List<TcpSeries> series, Func<TcpSeries, long> value) =>
        Counter(text, name, series.Select(s => (s.Labels, value(s))));

    private static void Counter(StringBuilder text, string name, IEnumerable<(string Labels, long Value)> series)
    {
        text.Append("# TYPE ").Append(name).Append(" counter\n");
        foreach (var (labels, value) in series)
        {
            text.Append(name).Append('{').Append(labels).Append("} ").Append(value).Append('\n');
        }
    }

    private static void Histogram(StringBuilder text, string name, List<HttpSeries> series, Func<HttpSeries, Histogram> histogram)
    {
        text.Append("# TYPE ").Append(name).Append(" histogram\n");
        foreach (var s in series)
        {
            histogram(s).Write(text, name, s.Labels);
        }
    }
}
