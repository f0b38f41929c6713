using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Telemetry;

/// <summary>
/// The service a cluster stands for, from Istio's cluster metadata <c>filter_metadata.istio.services[0]</c>
/// (<c>host</c>, <c>name</c>, <c>namespace</c>): what <c>destination_service</c>, <c>destination_service_name</c> and
/// <c>destination_service_namespace</c> report.
/// </summary>
internal sealed record ServiceMetadata(string Host, string Name, string Namespace)
{
    /// <summary>The first service in a cluster's metadata; null when it names none. A missing name is the host's first label, as Istio takes it.</summary>
    public static ServiceMetadata? FromCluster(Metadata? metadata)
    {
        if (metadata is null
            || !metadata.FilterMetadata.TryGetValue("istio", out var istio)
            || !istio.Fields.TryGetValue("services", out var services)
            || services.ListValue is not { Values.Count: > 0 } list
            || list.Values[0].StructValue is not { } service)
        {
            return null;
        }

        string Field(string key) => service.Fields.TryGetValue(key, out var v) ? v.StringValue ?? string.Empty : string.Empty;
        var host = Field("host");
        var name = Field("name");
        if (name.Length == 0)
        {
            var dot = host.IndexOf('.', StringComparison.Ordinal);
            name = dot < 0 ? host : host[..dot];
        }

        return new ServiceMetadata(host, name, Field("namespace"));
    }
}
