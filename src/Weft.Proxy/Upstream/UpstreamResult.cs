namespace Weft.Proxy.Upstream;

/// <summary>How one attempt at a host ended, as the outlier detector counts it.</summary>
internal enum UpstreamResultKind
{
    /// <summary>Response headers arrived with <see cref="UpstreamResult.Status"/>.</summary>
    Response,

    /// <summary>The connection could not be opened.</summary>
    ConnectFailed,

    /// <summary>No response before the route or per-try timeout.</summary>
    Timeout,

    /// <summary>The connection was reset or closed before the response headers.</summary>
    Reset,
}

/// <summary>
/// The outcome of one attempt, reported with <see cref="ClusterState.Report"/>: a response status, or a local-origin
/// failure (connect failure, timeout, reset). Without <c>split_external_local_origin_errors</c> Envoy counts a connect
/// failure or reset as a 503 and a timeout as a 504.
/// </summary>
internal readonly record struct UpstreamResult(UpstreamResultKind Kind, int Status)
{
    public static readonly UpstreamResult ConnectFailed = new(UpstreamResultKind.ConnectFailed, 503);

    public static readonly UpstreamResult Timeout = new(UpstreamResultKind.Timeout, 504);

    public static readonly UpstreamResult Reset = new(UpstreamResultKind.Reset, 503);

    public static UpstreamResult Response(int status) => new(UpstreamResultKind.Response, status);
}
