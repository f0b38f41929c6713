namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>The four TCP counters of one label set; each counter has its own labels, null for one its stats filter drops.</summary>
internal sealed class TcpSeries(string? opened, string? closed, string? received, string? sent)
{
    private long _opened;
    private long _closed;
    private long _sent;
    private long _received;

    public string? OpenedLabels { get; } = opened;

    public string? ClosedLabels { get; } = closed;

    public string? ReceivedLabels { get; } = received;

    public string? SentLabels { get; } = sent;

    public long Opened => Interlocked.Read(ref _opened);

    public long Closed => Interlocked.Read(ref _closed);

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    public void Open() => Interlocked.Increment(ref _opened);

    public void Close() => Interlocked.Increment(ref _closed);

    public void AddSent(long bytes) => Interlocked.Add(ref _sent, bytes);

    public void AddReceived(long bytes) => Interlocked.Add(ref _received, bytes);
}

/// <summary>What identifies a TCP series: the peer side, the flags, the stats filter and its expressions' values.</summary>
internal readonly record struct TcpSeriesKey(PeerLabels Peer, string Flags, StatsConfig Stats, ExpressionValues Values);
