namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>The two gRPC message counters of one label set; each has its own labels, null for one its stats filter drops.</summary>
internal sealed class GrpcMessageSeries(string? requests, string? responses)
{
    private long _requests;
    private long _responses;

    public string? RequestsLabels { get; } = requests;

    public string? ResponsesLabels { get; } = responses;

    public long Requests => Interlocked.Read(ref _requests);

    public long Responses => Interlocked.Read(ref _responses);

    public void Add(long requests, long responses)
    {
        Interlocked.Add(ref _requests, requests);
        Interlocked.Add(ref _responses, responses);
    }
}

/// <summary>What identifies a gRPC message series: the peer labels, the stats filter and its expressions' values.</summary>
internal readonly record struct MessageSeriesKey(PeerLabels Peer, StatsConfig Stats, ExpressionValues Values);
