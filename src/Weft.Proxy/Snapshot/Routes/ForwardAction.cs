using System.Text.RegularExpressions;
using Weft.Proxy.Snapshot.Routes.Hashing;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>
/// A forwarding route (<c>route</c> action): the cluster choice, path and host rewrites, the timeouts, the retry and
/// mirror policies the router applies, and the hash policy ring hash and Maglev clusters pick by; hedging is refused.
/// </summary>
internal sealed class ForwardAction : RouteBehavior
{
    /// <summary>Envoy's route timeout when the route sets none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public required ClusterChoice Clusters { get; init; }

    public string? PrefixRewrite { get; init; }

    public (Regex Pattern, string Substitution)? RegexRewrite { get; init; }

    public HostRewrite HostRewrite { get; init; } = HostRewrite.None;

    /// <summary>The whole-request timeout; zero means none.</summary>
    public TimeSpan Timeout { get; init; } = DefaultTimeout;

    /// <summary>The route's stream idle timeout; null leaves the connection manager's.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>
    /// <c>max_grpc_timeout</c>: when set, a gRPC request's <c>grpc-timeout</c> header becomes the timeout, capped by this
    /// value unless it is zero.
    /// </summary>
    public TimeSpan? MaxGrpcTimeout { get; init; }

    public TimeSpan GrpcTimeoutOffset { get; init; }

    /// <summary>The status when the chosen cluster does not exist (Envoy's <c>cluster_not_found_response_code</c>).</summary>
    public int ClusterNotFoundStatus { get; init; } = 503;

    public bool AppendXForwardedHost { get; init; }

    /// <summary>The route's hash policy; null when it has none.</summary>
    public HashPolicy? HashPolicy { get; init; }

    /// <summary>The route's own retry policy; null when it has none (the virtual host's then applies).</summary>
    public RetryPolicyModel? Retry { get; init; }

    /// <summary>The route's own mirror policies; empty when it has none (the virtual host's or configuration's then apply).</summary>
    public IReadOnlyList<MirrorPolicy> Mirrors { get; init; } = [];
}

/// <summary>How the upstream Host is chosen: kept, a literal, the endpoint's host name, a request header, or a regex on the path.</summary>
internal sealed record HostRewrite(HostRewriteKind Kind, string Value, Regex? Pattern = null)
{
    public static readonly HostRewrite None = new(HostRewriteKind.None, string.Empty);
}

internal enum HostRewriteKind
{
    None,
    Literal,
    Auto,
    Header,
    PathRegex,
}
