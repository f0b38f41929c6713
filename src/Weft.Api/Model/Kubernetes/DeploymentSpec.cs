using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Model.Kubernetes;

/// <summary>The parts of a Deployment Weft reads: replicas, selector and the pod template's labels and spec.</summary>
public sealed record DeploymentSpec
{
    public long? Replicas { get; init; }

    public IReadOnlyDictionary<string, string>? SelectorMatchLabels { get; init; }

    public IReadOnlyDictionary<string, string>? TemplateLabels { get; init; }

    public PodSpec? Template { get; init; }

    internal static object Decode(MapNode node)
    {
        var template = node["template"] as MapNode;
        return new DeploymentSpec
        {
            Replicas = NodeRead.Long(node["replicas"]),
            SelectorMatchLabels = NodeRead.Map((node["selector"] as MapNode)?["matchLabels"], NodeRead.String),
            TemplateLabels = NodeRead.Map(((template?["metadata"]) as MapNode)?["labels"], NodeRead.String),
            Template = template?["spec"] is MapNode spec ? PodSpec.DecodeTyped(spec) : null,
        };
    }
}
