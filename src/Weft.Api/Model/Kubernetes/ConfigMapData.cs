using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Model.Kubernetes;

/// <summary>A ConfigMap's string data (Istio keeps mesh config and the injector's settings in ConfigMaps).</summary>
public sealed record ConfigMapData
{
    public IReadOnlyDictionary<string, string> Data { get; init; } = new Dictionary<string, string>();

    internal static object Decode(MapNode node) => new ConfigMapData
    {
        Data = NodeRead.Map(node["data"], NodeRead.String) ?? new Dictionary<string, string>(),
    };
}
