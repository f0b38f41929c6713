using Weft.Proxy.Snapshot.Matching;
using EnvoyCorsPolicy = Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3.CorsPolicy;

namespace Weft.Proxy.Snapshot.Filters;

/// <summary>
/// A compiled CORS <c>CorsPolicy</c> from a route, virtual host or route configuration. Unset fields are null or empty
/// so that, as in Envoy, each one falls back to the next less specific policy that sets it.
/// </summary>
internal sealed record CorsPolicyModel
{
    public IReadOnlyList<StringMatch> AllowOrigins { get; init; } = [];

    public string AllowMethods { get; init; } = string.Empty;

    public string AllowHeaders { get; init; } = string.Empty;

    public string ExposeHeaders { get; init; } = string.Empty;

    public string MaxAge { get; init; } = string.Empty;

    public bool? AllowCredentials { get; init; }

    public bool? AllowPrivateNetworkAccess { get; init; }

    public bool? ForwardNotMatchingPreflights { get; init; }

    /// <summary><c>filter_enabled</c>: the share of requests the policy applies to (all when unset).</summary>
    public Percentage Enabled { get; init; } = Percentage.Always;

    /// <summary><c>shadow_enabled</c>: the share evaluated without effect (none when unset; only stats in Envoy).</summary>
    public Percentage ShadowEnabled { get; init; } = Percentage.Never;

    public static CorsPolicyModel Compile(EnvoyCorsPolicy policy) => new()
    {
        AllowOrigins = policy.AllowOriginStringMatch.Select(StringMatch.Compile).ToArray(),
        AllowMethods = policy.AllowMethods,
        AllowHeaders = policy.AllowHeaders,
        ExposeHeaders = policy.ExposeHeaders,
        MaxAge = policy.MaxAge,
        AllowCredentials = policy.AllowCredentials,
        AllowPrivateNetworkAccess = policy.AllowPrivateNetworkAccess,
        ForwardNotMatchingPreflights = policy.ForwardNotMatchingPreflights,
        Enabled = Percentage.Of(policy.FilterEnabled, Percentage.Always),
        ShadowEnabled = Percentage.Of(policy.ShadowEnabled, Percentage.Never),
    };
}
