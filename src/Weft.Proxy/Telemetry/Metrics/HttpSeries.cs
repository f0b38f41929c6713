namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>
/// The four HTTP metrics of one label set: created once, then only incremented. Each metric has its own labels (its
/// stats filter may shape them differently), null for one the filter drops.
/// </summary>
internal sealed class HttpSeries(string? requests, string? duration, string? requestBytes, string? responseBytes)
{
    private long _requests;

    public string? RequestsLabels { get; } = requests;

    public string? DurationLabels { get; } = duration;

    public string? RequestBytesLabels { get; } = requestBytes;

    public string? ResponseBytesLabels { get; } = responseBytes;

    public long Requests => Interlocked.Read(ref _requests);

    public Histogram Duration { get; } = new();

    public Histogram RequestBytes { get; } = new();

    public Histogram ResponseBytes { get; } = new();

    public void Record(long durationMs, long requestBytes, long responseBytes)
    {
        Interlocked.Increment(ref _requests);
        Duration.Record(durationMs);
        RequestBytes.Record(requestBytes);
        ResponseBytes.Record(responseBytes);
    }
}

/// <summary>
/// What identifies an HTTP series: the peer side, the outcome, the stats filter that shapes its labels and the values
/// of that filter's expressions for the request.
/// </summary>
internal readonly record struct HttpSeriesKey(PeerLabels Peer, bool Grpc, int Code, string GrpcStatus, string Flags, StatsConfig Stats, ExpressionValues Values);
