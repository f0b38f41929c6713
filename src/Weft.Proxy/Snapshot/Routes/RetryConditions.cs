namespace Weft.Proxy.Snapshot.Routes;

/// <summary>Envoy's <c>retry_on</c> (and <c>x-envoy-retry-on</c>, <c>x-envoy-retry-grpc-on</c>) conditions.</summary>
[Flags]
internal enum RetryConditions
{
    None = 0,

    /// <summary><c>5xx</c>: any 5xx response, and any reset, connect failure or per-try timeout.</summary>
    ServerError = 1 << 0,

    /// <summary><c>gateway-error</c>: 502, 503 or 504, and any reset, connect failure or per-try timeout.</summary>
    GatewayError = 1 << 1,

    /// <summary><c>reset</c>: no response at all (disconnect, reset, per-try timeout).</summary>
    Reset = 1 << 2,

    /// <summary><c>reset-before-request</c>: a reset before any byte of the request went upstream.</summary>
    ResetBeforeRequest = 1 << 3,

    /// <summary><c>connect-failure</c>.</summary>
    ConnectFailure = 1 << 4,

    /// <summary><c>retriable-4xx</c>: 409 only.</summary>
    Retriable4xx = 1 << 5,

    /// <summary><c>refused-stream</c>: the upstream refused the HTTP/2 stream.</summary>
    RefusedStream = 1 << 6,

    /// <summary><c>retriable-status-codes</c>: a status listed in <c>retriable_status_codes</c>.</summary>
    RetriableStatusCodes = 1 << 7,

    /// <summary><c>retriable-headers</c>: a response header that matches <c>retriable_headers</c>.</summary>
    RetriableHeaders = 1 << 8,

    /// <summary><c>envoy-ratelimited</c>: a response carrying <c>x-envoy-ratelimited</c>.</summary>
    EnvoyRateLimited = 1 << 9,

    /// <summary><c>http3-post-connect-failure</c>: never applies here (no HTTP/3 upstreams).</summary>
    Http3PostConnectFailure = 1 << 10,

    GrpcCancelled = 1 << 16,
    GrpcDeadlineExceeded = 1 << 17,
    GrpcResourceExhausted = 1 << 18,
    GrpcUnavailable = 1 << 19,
    GrpcInternal = 1 << 20,

    AnyGrpc = GrpcCancelled | GrpcDeadlineExceeded | GrpcResourceExhausted | GrpcUnavailable | GrpcInternal,
}

/// <summary>Parses condition lists as Envoy does: comma-separated, blanks trimmed, unknown names ignored.</summary>
internal static class RetryConditionNames
{
    /// <summary>Both HTTP and gRPC names (a route's <c>retry_on</c> holds either kind).</summary>
    public static RetryConditions Parse(string? list) => Parse(list, RetryConditions.None);

    /// <summary>HTTP names only (<c>x-envoy-retry-on</c>).</summary>
    public static RetryConditions ParseHttp(string? list) => Parse(list, RetryConditions.AnyGrpc);

    /// <summary>gRPC names only (<c>x-envoy-retry-grpc-on</c>).</summary>
    public static RetryConditions ParseGrpc(string? list) => Parse(list, ~RetryConditions.AnyGrpc);

    private static RetryConditions Parse(string? list, RetryConditions excluded)
    {
        var result = RetryConditions.None;
        if (string.IsNullOrEmpty(list))
        {
            return result;
        }

        foreach (var raw in list.Split(','))
        {
            result |= Condition(raw.Trim()) & ~excluded;
        }

        return result;
    }

    private static RetryConditions Condition(string name) => name switch
    {
        "5xx" => RetryConditions.ServerError,
        "gateway-error" => RetryConditions.GatewayError,
        "reset" => RetryConditions.Reset,
        "reset-before-request" => RetryConditions.ResetBeforeRequest,
        "connect-failure" => RetryConditions.ConnectFailure,
        "retriable-4xx" => RetryConditions.Retriable4xx,
        "refused-stream" => RetryConditions.RefusedStream,
        "retriable-status-codes" => RetryConditions.RetriableStatusCodes,
        "retriable-headers" => RetryConditions.RetriableHeaders,
        "envoy-ratelimited" => RetryConditions.EnvoyRateLimited,
        "http3-post-connect-failure" => RetryConditions.Http3PostConnectFailure,
        "cancelled" => RetryConditions.GrpcCancelled,
        "deadline-exceeded" => RetryConditions.GrpcDeadlineExceeded,
        "resource-exhausted" => RetryConditions.GrpcResourceExhausted,
        "unavailable" => RetryConditions.GrpcUnavailable,
        "internal" => RetryConditions.GrpcInternal,
        _ => RetryConditions.None,
    };
}
