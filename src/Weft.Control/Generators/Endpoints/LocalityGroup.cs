using Weft.Xds.Envoy.Config.Endpoint.V3;

namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// One locality's endpoints as sent, with the labels of the workload behind each endpoint (same order), which
/// <c>failoverPriority</c> compares with the proxy's labels (Istio's WrappedLocalityLbEndpoints).
/// </summary>
internal sealed record LocalityGroup(LocalityLbEndpoints Endpoints, IReadOnlyList<IReadOnlyDictionary<string, string>> Labels);
