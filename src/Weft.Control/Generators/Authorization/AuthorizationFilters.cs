using Weft.Control.Generators.Authentication;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// The authorization filters a workload's inbound chains carry, in Istio's order: on HTTP chains the CUSTOM pair
/// (RBAC marker, ext_authz) first, then RequestAuthentication's jwt_authn, then the RBAC filters for AUDIT, DENY and ALLOW, all before
/// fault, CORS and the router; on TCP chains the same network filters before tcp_proxy. They depend only on the
/// workload's namespace and labels, so they are built once per push for all workloads that share them.
/// </summary>
internal sealed record AuthorizationFilters(IReadOnlyList<HttpFilter> CustomHttp, IReadOnlyList<HttpFilter> LocalHttp, IReadOnlyList<Filter> CustomTcp, IReadOnlyList<Filter> LocalTcp)
{
    public static AuthorizationFilters None { get; } = new([], [], [], []);

    public static AuthorizationFilters For(ProxyNode proxy, PushContext push)
    {
        var selected = push.AuthorizationPolicies.Select(proxy.Namespace, proxy.Labels);
        var authentication = push.RequestAuthentications.Select(proxy.Namespace, proxy.Labels);
        if (selected.IsEmpty && authentication.Count == 0)
        {
            return None;
        }

        var labels = string.Join(',', proxy.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));
        return push.Cached(("authorization-filters", proxy.Namespace, labels, proxy.Type), () =>
        {
            var filters = selected.IsEmpty ? None : Build(selected, Options(push, selected));
            // Istio clears the route cache after JWT authentication on gateways only (routes there may match on claims).
            return JwtFilterBuilder.Build(authentication, push.Jwks, clearRouteCache: proxy.Type != ProxyType.Sidecar) is { } jwt
                ? filters with { Jwt = [jwt] }
                : filters;
        });
    }

    /// <summary>The filters for these policies (tests and tools give their own trust domains and providers).</summary>
    public static AuthorizationFilters Build(SelectedAuthorizationPolicies selected, AuthorizationOptions options) => new(
        AuthorizationFilterBuilder.Http(selected, custom: true, options),
        AuthorizationFilterBuilder.Http(selected, custom: false, options),
        AuthorizationFilterBuilder.Tcp(selected, custom: true, options),
        AuthorizationFilterBuilder.Tcp(selected, custom: false, options));

    /// <summary>The HTTP filters to put before the connection manager's own (fault, CORS, router).</summary>
    public IEnumerable<HttpFilter> Http => CustomHttp.Concat(Jwt).Concat(LocalHttp).Select(f => f.Clone());

    /// <summary>RequestAuthentication's jwt_authn filter (if any), which goes between the CUSTOM and the other RBAC filters.</summary>
    public IReadOnlyList<HttpFilter> Jwt { get; init; } = [];

    /// <summary>The network filters to put before a TCP chain's tcp_proxy.</summary>
    public IEnumerable<Filter> Tcp => CustomTcp.Concat(LocalTcp).Select(f => f.Clone());

    private static AuthorizationOptions Options(PushContext push, SelectedAuthorizationPolicies selected)
    {
        var providers = selected.Custom.Count == 0
            ? new Dictionary<string, ResolvedExtAuthz>()
            : push.Cached("authorization-extension-providers", () => ExtAuthzProviders.Resolve(push.Mesh.ExtensionProviders, push));
        return new AuthorizationOptions(TrustDomainBundle.Of(push.Mesh.TrustDomain, push.Mesh.TrustDomainAliases), providers);
    }
}
