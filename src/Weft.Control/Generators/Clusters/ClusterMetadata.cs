using Google.Protobuf.WellKnownTypes;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// Istio's <c>filter_metadata.istio</c> on outbound clusters, which telemetry and config dumps read: the service the
/// cluster stands for, the DestinationRule and subset that shaped it, <c>external</c> for mesh-external services, and
/// <c>alpn_override: "false"</c> when the rule originates its own TLS (so the outbound ALPN filter leaves it alone).
/// </summary>
internal static class ClusterMetadata
{
    public const string FilterName = "istio";

    public static Metadata For(MeshService service, DestinationRuleView? rule, string subset, string? tlsMode)
    {
        var istio = new Struct();
        istio.Fields["services"] = Value.ForList(Value.ForStruct(Envoy.Struct(
            ("host", Value.ForString(service.Hostname)),
            ("name", Value.ForString(ServiceName(service))),
            ("namespace", Value.ForString(service.Namespace)))));
        if (service.MeshExternal)
        {
            istio.Fields["external"] = Value.ForBool(true);
        }

        if (rule is not null)
        {
            istio.Fields["config"] = Value.ForString(rule.ConfigPath);
            if (tlsMode is "SIMPLE" or "MUTUAL")
            {
                istio.Fields["alpn_override"] = Value.ForString("false");
            }
        }

        if (subset.Length > 0)
        {
            istio.Fields["subset"] = Value.ForString(subset);
        }

        var metadata = new Metadata();
        metadata.FilterMetadata[FilterName] = istio;
        return metadata;
    }

    /// <summary>A Kubernetes Service's own name; a ServiceEntry host stands for itself (Istio names those services by host).</summary>
    public static string ServiceName(MeshService service) =>
        service.Origin.Kind == "Service" ? service.Origin.Name : service.Hostname;
}
