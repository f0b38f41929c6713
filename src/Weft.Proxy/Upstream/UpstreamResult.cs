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

    /// <summary>
    /// A connection for opaque bytes (the TCP proxy's) was opened: the whole exchange as far as the proxy can judge
    /// it (Envoy's <c>LOCAL_ORIGIN_CONNECT_SUCCESS_FINAL</c>).
    /// </summary>
    ConnectSucceeded,
}

/// <summary>
/// The outcome of one attempt, reported with <see cref="ClusterState.Report"/>: a response status, or a local-origin
/// failure (connect failure, timeout, reset), or for the TCP proxy a connection opened. Without
/// <c>split_external_local_origin_errors</c> Envoy counts a connect failure or reset as a 503, a timeout as a 504 and
/// an opened TCP proxy connection as a 200.
/// </summary>
internal readonly record struct UpstreamResult(UpstreamResultKind Kind, int Status)
{
    public static readonly UpstreamResult ConnectFailed = new(UpstreamResultKind.ConnectFailed, 503);

    public static readonly UpstreamResult Timeout = new(UpstreamResultKind.Timeout, 504);

    public static readonly UpstreamResult Reset = new(UpstreamResultKind.Reset, 503);

    public static readonly UpstreamResult ConnectSucceeded = new(UpstreamResultKind.ConnectSucceeded, 200);

    public static UpstreamResult Response(int status) => new(UpstreamResultKind.Response, status);
}
