using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using EnvoyMirrorPolicy = Weft.Xds.Envoy.Config.Route.V3.RouteAction.Types.RequestMirrorPolicy;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>
/// A <c>request_mirror_policies</c> entry: a copy of the request goes to this cluster (or the cluster a request header
/// names) for the given share of requests (all of them when unset), with <c>-shadow</c> appended to its host unless
/// the policy turns that off. The copy's response is thrown away.
/// </summary>
internal sealed record MirrorPolicy(string? Cluster, string? ClusterHeader, Percentage Share, bool AppendShadowSuffix)
{
    public static MirrorPolicy Compile(EnvoyMirrorPolicy policy)
    {
        if (policy.Cluster.Length == 0 && policy.ClusterHeader.Length == 0)
        {
            throw new XdsRejectedException("a request mirror policy names neither a cluster nor a cluster_header");
        }

        if (policy.Cluster.Length > 0 && policy.ClusterHeader.Length > 0)
        {
            throw new XdsRejectedException("a request mirror policy sets both cluster and cluster_header");
        }

        if (policy.HostRewriteLiteral.Length > 0)
        {
            throw new XdsRejectedException("host_rewrite_literal on a request mirror policy is not supported yet");
        }

        return new MirrorPolicy(
            policy.Cluster.Length > 0 ? policy.Cluster : null,
            policy.ClusterHeader.Length > 0 ? policy.ClusterHeader.ToLowerInvariant() : null,
            Percentage.Of(policy.RuntimeFraction, Percentage.Always),
            !policy.DisableShadowHostSuffixAppend);
    }

    /// <summary>Envoy's shadow host: <c>-shadow</c> after the host name, before any port.</summary>
    public static string ShadowHost(string authority)
    {
        var host = HostPort.StripPort(authority);
        return host + "-shadow" + authority[host.Length..];
    }
}
