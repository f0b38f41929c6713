using Weft.Api.Model.Networking;
using Weft.Control.Config;

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

    private bool Matches(string pattern, string host, string ns)
    {
        var slash = pattern.IndexOf('/', StringComparison.Ordinal);
        var nsPart = slash < 0 ? "*" : pattern[..slash];
        var hostPart = slash < 0 ? pattern : pattern[(slash + 1)..];
        var nsOk = nsPart switch
        {
            "*" => true,
            "." => ns == ProxyNamespace,
            "~" => false,
            _ => nsPart == ns,
        };
        return nsOk && Model.Hosts.Matches(hostPart, host);
    }
}
