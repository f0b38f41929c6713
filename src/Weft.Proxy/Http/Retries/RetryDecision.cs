namespace Weft.Proxy.Http.Retries;

/// <summary>What the retry policy says about a failed attempt.</summary>
internal enum RetryDecision
{
    /// <summary>The outcome is not one the policy retries.</summary>
    No,

    /// <summary>Retry (one retry is used up).</summary>
    Retry,

    /// <summary>The policy would retry, but no retries are left (Envoy's URX).</summary>
    LimitExceeded,

    /// <summary>The policy would retry, but the cluster's retry circuit breaker is full (Envoy flags the request UO).</summary>
    Overflow,
}

/// <summary>How an attempt failed before a response came back.</summary>
internal enum AttemptFailure
{
    ConnectFailure,

    /// <summary>The upstream refused the HTTP/2 stream.</summary>
    RefusedStream,

    /// <summary>The connection was reset or closed before a response.</summary>
    Reset,

    /// <summary>The per-try timeout fired (Envoy resets the stream locally).</summary>
    PerTryTimeout,
}
