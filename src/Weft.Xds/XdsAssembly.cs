namespace Weft.Xds;

/// <summary>
/// Weft's own .proto subset of Envoy's v3 API (packages, names and field numbers equal Envoy's, under
/// <c>Protos/envoy/...</c>; C# types in <c>Weft.Xds.Envoy.*</c>), the type URLs of its resources and
/// Istio-style resource names; and Istio's certificate service (<c>Protos/istio/security/...</c>, C# types in
/// <c>Weft.Xds.Istio.Security.V1Alpha1</c>), the CA's API. The proxy and the control plane bind to this assembly.
/// </summary>
public static class XdsAssembly
{
    /// <summary>The prefix of every xDS type URL.</summary>
    public const string TypeUrlPrefix = "type.googleapis.com/";
}
