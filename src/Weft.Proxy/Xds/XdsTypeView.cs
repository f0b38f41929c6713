using System.Collections.Frozen;

namespace Weft.Proxy.Xds;

/// <summary>
/// What the proxy holds of one resource type at one moment: whether any response was accepted yet, the version of the last
/// accepted one, the resources, the names subscribed (none for a wildcard type) and the last rejection.
/// </summary>
internal sealed record XdsTypeView(
    string TypeUrl,
    bool Received,
    string Version,
    FrozenDictionary<string, AcceptedResource> Resources,
    FrozenSet<string> Names,
    XdsRejection? LastRejection)
{
    public static XdsTypeView Empty(string typeUrl) => new(
        typeUrl, false, string.Empty, FrozenDictionary<string, AcceptedResource>.Empty, FrozenSet<string>.Empty, null);
}
