namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>The four TCP counters of one label set.</summary>
internal sealed class TcpSeries(string labels)
{
    private long _opened;
    private long _closed;
    private long _sent;
    private long _received;

    public string Labels { get; } = labels;

    public long Opened => Interlocked.Read(ref _opened);

    public long Closed => Interlocked.Read(ref _closed);

    public long Sent => Interlocked.Read(ref _sent);

    public long Received => Interlocked.Read(ref _received);

    public void Open() => Interlocked.Increment(ref _opened);

    public void Close() => Interlocked.Increment(ref _closed);

    public void AddSent(long bytes) => Interlocked.Add(ref _sent, bytes);

    public void AddReceived(long bytes) => Interlocked.Add(ref _received, bytes);
}

/// <summary>What identifies a TCP series.</summary>
internal readonly record struct TcpSeriesKey(PeerLabels Peer, string Flags);
