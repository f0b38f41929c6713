using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>A virtual host: routes tried in order (the first that matches wins), its header edits and per-host options.</summary>
internal sealed record VirtualHostEntry(
    string Name,
    IReadOnlyList<string> Domains,
    IReadOnlyList<RouteEntry> Routes,
    HeaderMutation Request,
    HeaderMutation Response,
    bool IncludeRequestAttemptCount,
    bool IncludeAttemptCountInResponse,
    TlsRequirement RequireTls)
{
    /// <summary>The virtual host's <c>typed_per_filter_config</c>.</summary>
    public FilterOverrides Filters { get; init; } = FilterOverrides.None;

    /// <summary>The retry policy of routes that have none of their own; null when the virtual host sets none.</summary>
    public RetryPolicyModel? Retry { get; init; }

    /// <summary>The mirror policies of routes that have none of their own; empty when the virtual host sets none.</summary>
    public IReadOnlyList<MirrorPolicy> Mirrors { get; init; } = [];

    /// <summary>The virtual host's <c>request_body_buffer_limit</c>; null leaves the listener's.</summary>
    public ulong? BodyBufferLimit { get; init; }

    /// <summary><c>include_is_timeout_retry_header</c>: retries carry <c>x-envoy-is-timeout-retry</c>.</summary>
    public bool IncludeIsTimeoutRetryHeader { get; init; }

    public RouteEntry? FindRoute(RouteRequest request, ulong random)
    {
        foreach (var route in Routes)
        {
            if (route.Condition.Matches(request, random))
            {
                return route;
            }
        }

        return null;
    }
}

/// <summary>A virtual host's <c>require_tls</c>: plaintext requests are redirected to https (all, or external ones).</summary>
internal enum TlsRequirement
{
    None,
    ExternalOnly,
    All,
}
