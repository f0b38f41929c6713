namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>The four HTTP metrics of one label set: created once, then only incremented.</summary>
internal sealed class HttpSeries(string labels)
{
    private long _requests;

    public string Labels { get; } = labels;

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

/// <summary>What identifies an HTTP series: the peer side and the outcome.</summary>
internal readonly record struct HttpSeriesKey(PeerLabels Peer, bool Grpc, int Code, string GrpcStatus, string Flags);
