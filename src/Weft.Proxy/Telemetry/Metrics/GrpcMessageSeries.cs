namespace Weft.Proxy.Telemetry.Metrics;

/// <summary>The two gRPC message counters of one label set.</summary>
internal sealed class GrpcMessageSeries(string labels)
{
    private long _requests;
    private long _responses;

    public string Labels { get; } = labels;

    public long Requests => Interlocked.Read(ref _requests);

    public long Responses => Interlocked.Read(ref _responses);

    public void Add(long requests, long responses)
    {
        Interlocked.Add(ref _requests, requests);
        Interlocked.Add(ref _responses, responses);
    }
}
