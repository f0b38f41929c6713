using Weft.Api.Model.Networking;
using Weft.Control.Config;

namespace Weft.Control.Push;

/// <summary>
/// A VirtualService as the generators use it: hosts completed to FQDNs in its namespace, gateways completed to
/// <c>NAMESPACE/NAME</c> (or <c>mesh</c>), and delegate routes already merged into <see cref="Http"/>.
/// </summary>
public sealed record VirtualServiceView(
    ConfigKey Key,
    VirtualServiceSpec Spec,
    IReadOnlyList<string> Hosts,
    IReadOnlyList<string> Gateways,
    IReadOnlyList<HTTPRoute> Http)
{
    public string Namespace => Key.Namespace;

    public string Name => Key.Name;

    /// <summary>The path Istio puts in route metadata (<c>istio.config</c>).</summary>
    public string ConfigPath => $"/apis/networking.istio.io/v1/namespaces/{Key.Namespace}/virtual-service/{Key.Name}";
}
