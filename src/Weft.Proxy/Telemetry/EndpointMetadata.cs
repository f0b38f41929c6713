using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Telemetry;

/// <summary>Reads an endpoint's Istio telemetry metadata, <c>filter_metadata.istio.workload</c>.</summary>
internal static class EndpointMetadata
{
    /// <summary>The workload the endpoint belongs to; null when the control plane said nothing (or something malformed).</summary>
    public static WorkloadMetadata? Workload(Metadata? metadata) =>
        metadata is not null
        && metadata.FilterMetadata.TryGetValue("istio", out var istio)
        && istio.Fields.TryGetValue("workload", out var workload)
        && workload.StringValue is { Length: > 0 } encoding
            ? WorkloadMetadata.FromEndpoint(encoding)
            : null;
}
