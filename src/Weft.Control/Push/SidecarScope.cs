using Weft.Api.Model.Networking;
using Weft.Control.Config;
using Weft.Control.Model;
using Weft.Xds;

namespace Weft.Control.Push;

/// <summary>
/// What a proxy's Sidecar resource lets it see: egress host patterns (<c>NAMESPACE/HOST</c>, with <c>*</c>, <c>.</c> for
/// the proxy's namespace and <c>~</c> for none) and the Sidecar itself. Without a Sidecar everything visible is in scope.
/// </summary>
public sealed record SidecarScope(StoredResource? Sidecar, string ProxyNamespace)
{
    public SidecarSpec? Spec => Sidecar?.Spec<SidecarSpec>();

    /// <summary>Whether a host declared in <paramref name="ns"/> is in the egress scope of any egress listener.</summary>
    public bool Includes(string host, string ns) => Spec?.Egress is not { Count: > 0 } egress
        || egress.Any(listener => Includes(listener, host, ns));

    /// <summary>Whether one egress listener's hosts include a host declared in <paramref name="ns"/>.</summary>
    public bool Includes(IstioEgressListener listener, string host, string ns) =>
        (listener.Hosts ?? []).Any(pattern => Matches(pattern, host, ns));

    /// <summary>
    /// The Sidecar's <c>outboundTrafficPolicy</c>, else the mesh's. The API's default mode is REGISTRY_ONLY, so a policy
    /// that names no mode blocks; <c>egressProxy</c> only applies with ALLOW_ANY and its host is used as written.
    /// </summary>
    public OutboundPolicy OutboundPolicy(MeshConfig mesh)
    {
        if (Spec?.OutboundTrafficPolicy is not { } policy)
        {
            return new OutboundPolicy(mesh.AllowAny);
        }

        var allowAny = policy.Mode == "ALLOW_ANY";
        var egress = allowAny && policy.EgressProxy is { Host: { Length: > 0 } host } proxy
            ? ResourceNames.OutboundCluster((int)(proxy.Port?.Number ?? 0), host, proxy.Subset ?? string.Empty)
            : null;
        return new OutboundPolicy(allowAny, egress);
    }

    /// <summary>Whether an egress host pattern (<c>NAMESPACE/HOST</c>) imports a host declared in <paramref name="ns"/>.</summary>
    public bool Imports(string pattern, string host, string ns) => Matches(pattern, host, ns);

    /// <summary>
    /// Whether an egress host pattern imports a VirtualService host declared in <paramref name="ns"/>: as Istio does for
    /// VirtualServices, wildcards match both ways (<c>*.example.com</c> in a VirtualService is imported by <c>*/a.example.com</c>).
    /// </summary>
    public bool ImportsVirtualServiceHost(string pattern, string host, string ns) =>
        Matches(pattern, host, ns) || (NamespaceMatches(pattern, ns) && Model.Hosts.Matches(host, HostPart(pattern)));

    private bool Matches(string pattern, string host, string ns) => NamespaceMatches(pattern, ns) && Model.Hosts.Matches(HostPart(pattern), host);

    private static string HostPart(string pattern)
    {
        var slash = pattern.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? pattern : pattern[(slash + 1)..];
    }

    private bool NamespaceMatches(string pattern, string ns)
    {
        var slash = pattern.IndexOf('/', StringComparison.Ordinal);
        return (slash < 0 ? "*" : pattern[..slash]) switch
        {
            "*" => true,
            "." => ns == ProxyNamespace,
            "~" => false,
            var named => named == ns,
        };
    }
}
