using System.Collections.Concurrent;
using System.Text;
using Weft.Proxy.Telemetry.Metrics;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// Istio's standard metrics for one proxy. A request's labels are resolved to a series once per distinct key (a small
/// struct of the fields that vary, so the lookup allocates nothing); after that, recording is interlocked adds with no
/// lock. Each metric's labels are shaped by the stats filter the request passed (<see cref="StatsConfig"/>).
/// <see cref="Render"/> writes every series in Prometheus' text format, adding up series whose labels came out equal.
/// </summary>
internal sealed class IstioMetrics(WorkloadMetadata local)
{
    private readonly ConcurrentDictionary<HttpSeriesKey, HttpSeries> _http = new();
    private readonly ConcurrentDictionary<TcpSeriesKey, TcpSeries> _tcp = new();
    private readonly ConcurrentDictionary<MessageSeriesKey, GrpcMessageSeries> _messages = new();

    public WorkloadMetadata Local { get; } = local;

    /// <summary>How many requests have been recorded.</summary>
    public ProgressCounter RequestsRecorded { get; } = new();

    public void RecordRequest(in HttpSeriesKey key, long durationMs, long requestBytes, long responseBytes)
    {
        if (!_http.TryGetValue(key, out var series))
        {
            series = _http.GetOrAdd(key, k =>
            {
                var values = StandardLabels.Http(Local, k.Peer, k.Grpc, k.Code, k.GrpcStatus, k.Flags);
                return new HttpSeries(
                    k.Stats.Labels(IstioMetric.RequestsTotal, StandardLabels.HttpNames, values, k.Values),
                    k.Stats.Labels(IstioMetric.RequestDurationMilliseconds, StandardLabels.HttpNames, values, k.Values),
                    k.Stats.Labels(IstioMetric.RequestBytes, StandardLabels.HttpNames, values, k.Values),
                    k.Stats.Labels(IstioMetric.ResponseBytes, StandardLabels.HttpNames, values, k.Values));
            });
        }

        series.Record(durationMs, requestBytes, responseBytes);
        RequestsRecorded.Increment();
    }

    /// <summary>
    /// Adds a gRPC request's message counts (<c>istio_request_messages_total</c>, <c>istio_response_messages_total</c>).
    /// Istio's stats filter gives them only the peer labels (reporter through destination_cluster): no protocol, code,
    /// flags or security policy.
    /// </summary>
    public void RecordMessages(in PeerLabels peer, StatsConfig stats, in ExpressionValues expressionValues, long requestMessages, long responseMessages)
    {
        var key = new MessageSeriesKey(peer with { MutualTls = null }, stats, expressionValues);
        if (!_messages.TryGetValue(key, out var series))
        {
            series = _messages.GetOrAdd(key, k =>
            {
                var values = StandardLabels.Messages(Local, k.Peer);
                return new GrpcMessageSeries(
                    k.Stats.Labels(IstioMetric.RequestMessagesTotal, StandardLabels.MessageNames, values, k.Values),
                    k.Stats.Labels(IstioMetric.ResponseMessagesTotal, StandardLabels.MessageNames, values, k.Values));
            });
        }

        series.Add(requestMessages, responseMessages);
    }

    /// <summary>How many TCP connections have been counted as opened.</summary>
    public ProgressCounter TcpConnectionsOpened { get; } = new();

    /// <summary>The TCP series of a connection's labels.</summary>
    public TcpSeries Tcp(in TcpSeriesKey key) =>
        _tcp.TryGetValue(key, out var series) ? series : _tcp.GetOrAdd(key, k =>
        {
            var values = StandardLabels.Tcp(Local, k.Peer, k.Flags);
            return new TcpSeries(
                k.Stats.Labels(IstioMetric.TcpConnectionsOpenedTotal, StandardLabels.TcpNames, values, k.Values),
                k.Stats.Labels(IstioMetric.TcpConnectionsClosedTotal, StandardLabels.TcpNames, values, k.Values),
                k.Stats.Labels(IstioMetric.TcpReceivedBytesTotal, StandardLabels.TcpNames, values, k.Values),
                k.Stats.Labels(IstioMetric.TcpSentBytesTotal, StandardLabels.TcpNames, values, k.Values));
        });

    /// <summary>Every series, grouped by metric, each metric's series ordered by their labels.</summary>
    public void Render(StringBuilder text)
    {
        var http = _http.Values.ToList();
        Counter(text, "istio_requests_total", http.Select(s => (s.RequestsLabels, s.Requests)));
        Histogram(text, "istio_request_duration_milliseconds", http.Select(s => (s.DurationLabels, s.Duration)));
        Histogram(text, "istio_request_bytes", http.Select(s => (s.RequestBytesLabels, s.RequestBytes)));
        Histogram(text, "istio_response_bytes", http.Select(s => (s.ResponseBytesLabels, s.ResponseBytes)));

        var messages = _messages.Values.ToList();
        Counter(text, "istio_request_messages_total", messages.Select(s => (s.RequestsLabels, s.Requests)));
        Counter(text, "istio_response_messages_total", messages.Select(s => (s.ResponsesLabels, s.Responses)));

        var tcp = _tcp.Values.ToList();
        Counter(text, "istio_tcp_connections_closed_total", tcp.Select(s => (s.ClosedLabels, s.Closed)));
        Counter(text, "istio_tcp_connections_opened_total", tcp.Select(s => (s.OpenedLabels, s.Opened)));
        Counter(text, "istio_tcp_received_bytes_total", tcp.Select(s => (s.ReceivedLabels, s.Received)));
        Counter(text, "istio_tcp_sent_bytes_total", tcp.Select(s => (s.SentLabels, s.Sent)));
    }

    /// <summary>A counter's series (none when every one is dropped), series with equal labels added up.</summary>
    private static void Counter(StringBuilder text, string name, IEnumerable<(string? Labels, long Value)> series)
    {
        foreach (var line in Lines(text, name, "counter", series, s => s.Labels))
        {
            text.Append(name).Append('{').Append(line.Key).Append("} ").Append(line.Sum(s => s.Value)).Append('\n');
        }
    }

    private static void Histogram(StringBuilder text, string name, IEnumerable<(string? Labels, Histogram Histogram)> series)
    {
        foreach (var line in Lines(text, name, "histogram", series, s => s.Labels))
        {
            var histogram = line.First().Histogram;
            if (line.Skip(1).Any())
            {
                histogram = new Histogram();
                foreach (var (_, part) in line)
                {
                    histogram.Add(part);
                }
            }

            histogram.Write(text, name, line.Key);
        }
    }

    /// <summary>
    /// A metric's series that are not dropped, grouped by their labels and ordered by them; writes the metric's type line
    /// first when there is any.
    /// </summary>
    private static List<IGrouping<string, T>> Lines<T>(StringBuilder text, string name, string type, IEnumerable<T> series, Func<T, string?> labels)
    {
        var lines = series.Where(s => labels(s) is not null)
            .GroupBy(s => labels(s)!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
        if (lines.Count > 0)
        {
            text.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }

        return lines;
    }
}
