using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Extensions.Filters.Common.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;

namespace Weft.Proxy.Snapshot.Filters;

/// <summary>
/// A compiled <c>HTTPFault</c> (the fault filter's own config or a route's override): a fixed delay and an HTTP or gRPC
/// abort, each for its share of requests, limited to requests with matching headers, to one upstream cluster, or to
/// some downstream nodes, and to a number of faults active at once. Header-controlled faults and response rate limits
/// are refused. The <c>*_runtime</c> keys only name runtime entries; with no runtime layer the configured values
/// apply, as they do in Envoy when the runtime holds none.
/// </summary>
internal sealed class FaultPolicy
{
    public static readonly FaultPolicy Empty = new();

    private int _active;

    public TimeSpan? Delay { get; private init; }

    public Percentage DelayShare { get; private init; } = Percentage.Never;

    /// <summary>The HTTP status an abort answers with (200 for a gRPC abort); null when the policy has no abort.</summary>
    public int? AbortStatus { get; private init; }

    public int? AbortGrpcStatus { get; private init; }

    public Percentage AbortShare { get; private init; } = Percentage.Never;

    public IReadOnlyList<HeaderMatch> Headers { get; private init; } = [];

    public string? UpstreamCluster { get; private init; }

    public IReadOnlySet<string> DownstreamNodes { get; private init; } = new HashSet<string>();

    public uint? MaxActiveFaults { get; private init; }

    public bool IsEmpty => Delay is null && AbortStatus is null;

    public static FaultPolicy Compile(HTTPFault fault)
    {
        if (fault.ResponseRateLimit is not null)
        {
            throw new XdsRejectedException("the fault filter's response_rate_limit is not supported yet");
        }

        TimeSpan? delay = null;
        var delayShare = Percentage.Never;
        if (fault.Delay is { } faultDelay)
        {
            delay = faultDelay.FaultDelaySecifierCase switch
            {
                FaultDelay.FaultDelaySecifierOneofCase.FixedDelay => faultDelay.FixedDelay.ToTimeSpan(),
                FaultDelay.FaultDelaySecifierOneofCase.HeaderDelay => throw new XdsRejectedException("header-controlled fault delays (header_delay) are not supported yet"),
                _ => throw new XdsRejectedException("a fault delay sets no fixed_delay"),
            };
            delayShare = Percentage.Of(faultDelay.Percentage);
        }

        int? abortStatus = null;
        int? grpcStatus = null;
        var abortShare = Percentage.Never;
        if (fault.Abort is { } abort)
        {
            switch (abort.ErrorTypeCase)
            {
                case FaultAbort.ErrorTypeOneofCase.HttpStatus when abort.HttpStatus is >= 200 and < 600:
                    abortStatus = (int)abort.HttpStatus;
                    break;
                case FaultAbort.ErrorTypeOneofCase.HttpStatus:
                    throw new XdsRejectedException($"the fault abort status {abort.HttpStatus} is not between 200 and 599");
                case FaultAbort.ErrorTypeOneofCase.GrpcStatus:
                    // Envoy answers a gRPC abort with HTTP 200; a gRPC request sees the status in grpc-status.
                    abortStatus = 200;
                    grpcStatus = (int)abort.GrpcStatus;
                    break;
                case FaultAbort.ErrorTypeOneofCase.HeaderAbort:
                    throw new XdsRejectedException("header-controlled fault aborts (header_abort) are not supported yet");
                default:
                    throw new XdsRejectedException("a fault abort sets no http_status or grpc_status");
            }

            abortShare = Percentage.Of(abort.Percentage);
        }

        return new FaultPolicy
        {
            Delay = delay is { } d && d > TimeSpan.Zero ? d : null,
            DelayShare = delayShare,
            AbortStatus = abortStatus,
            AbortGrpcStatus = grpcStatus,
            AbortShare = abortShare,
            Headers = fault.Headers.Select(HeaderMatch.Compile).ToArray(),
            UpstreamCluster = fault.UpstreamCluster.Length > 0 ? fault.UpstreamCluster : null,
            DownstreamNodes = fault.DownstreamNodes.ToHashSet(StringComparer.Ordinal),
            MaxActiveFaults = fault.MaxActiveFaults,
        };
    }

    /// <summary>
    /// Counts one more active fault for a request unless <c>max_active_faults</c> are already active; the returned
    /// handle gives it back. Null when the limit is reached (the fault is not injected).
    /// </summary>
    public IDisposable? TryActivate()
    {
        var active = Interlocked.Increment(ref _active);
        if (MaxActiveFaults is { } max && active > max)
        {
            Interlocked.Decrement(ref _active);
            return null;
        }

        return new Activation(this);
    }

    private sealed class Activation(FaultPolicy policy) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref policy._active);
            }
        }
    }
}
