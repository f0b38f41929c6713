namespace Weft.Proxy.Http;

/// <summary>Envoy's response flags, as access logs and <c>istio_requests_total</c> report them.</summary>
internal static class ResponseFlags
{
    /// <summary>No route (or no filter chain) for the request.</summary>
    public const string NoRoute = "NR";

    /// <summary>The route's cluster does not exist.</summary>
    public const string NoClusterFound = "NC";

    /// <summary>No healthy upstream host.</summary>
    public const string NoHealthyUpstream = "UH";

    /// <summary>A circuit breaker overflowed (too many connections, pending requests or requests).</summary>
    public const string UpstreamOverflow = "UO";

    /// <summary>Connecting upstream failed.</summary>
    public const string UpstreamConnectionFailure = "UF";

    /// <summary>The upstream reset or closed the stream before responding.</summary>
    public const string UpstreamConnectionTermination = "UC";

    /// <summary>The route timeout fired.</summary>
    public const string UpstreamRequestTimeout = "UT";

    /// <summary>The stream idle timeout fired.</summary>
    public const string StreamIdleTimeout = "SI";

    /// <summary>The client went away.</summary>
    public const string DownstreamConnectionTermination = "DC";

    /// <summary>The request was refused before routing (bad path, refused upgrade).</summary>
    public const string DownstreamProtocolError = "DPE";

    /// <summary>The retry policy would have retried, but no retries were left.</summary>
    public const string UpstreamRetryLimitExceeded = "URX";

    /// <summary>The fault filter delayed the request.</summary>
    public const string DelayInjected = "DI";

    /// <summary>The fault filter answered the request with an abort.</summary>
    public const string FaultInjected = "FI";
}
