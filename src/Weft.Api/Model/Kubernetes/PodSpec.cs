using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Model.Kubernetes;

/// <summary>The parts of a Pod spec Weft reads: service account and containers with their ports.</summary>
public sealed record PodSpec
{
    public string? ServiceAccountName { get; init; }

    public IReadOnlyList<Container> Containers { get; init; } = [];

    internal static object Decode(MapNode node) => DecodeTyped(node);

    internal static PodSpec DecodeTyped(MapNode node) => new()
    {
        ServiceAccountName = NodeRead.String(node["serviceAccountName"]),
        Containers = NodeRead.List(node["containers"], static n => NodeRead.Object(n, Container.Decode)) ?? [],
    };
}

public sealed record Container
{
    public string? Name { get; init; }

    public string? Image { get; init; }

    public IReadOnlyList<ContainerPort> Ports { get; init; } = [];

    internal static Container Decode(MapNode node) => new()
    {
        Name = NodeRead.String(node["name"]),
        Image = NodeRead.String(node["image"]),
        Ports = NodeRead.List(node["ports"], static n => NodeRead.Object(n, ContainerPort.Decode)) ?? [],
    };
}

public sealed record ContainerPort
{
    public string? Name { get; init; }

    public long? ContainerPortNumber { get; init; }

    public string? Protocol { get; init; }

    internal static ContainerPort Decode(MapNode node) => new()
    {
        Name = NodeRead.String(node["name"]),
        ContainerPortNumber = NodeRead.Long(node["containerPort"]),
        Protocol = NodeRead.String(node["protocol"]),
    };
}
