using Weft.Api.Model.Networking;
using Weft.Control.Config;

namespace Weft.Control.Push;

/// <summary>The DestinationRule that applies to a host for a proxy, with its host completed to an FQDN.</summary>
public sealed record DestinationRuleView(ConfigKey Key, DestinationRuleSpec Spec, string Host)
{
    public string ConfigPath => $"/apis/networking.istio.io/v1/namespaces/{Key.Namespace}/destination-rule/{Key.Name}";

    public Subset? Subset(string name) => Spec.Subsets?.FirstOrDefault(s => s.Name == name);
}
