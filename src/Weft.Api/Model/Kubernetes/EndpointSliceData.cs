using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Model.Kubernetes;

/// <summary>An EndpointSlice: the addresses behind a Service, with readiness and zone.</summary>
public sealed record EndpointSliceData
{
    public string? AddressType { get; init; }

    public string? ServiceName { get; init; }

    public IReadOnlyList<SliceEndpoint> Endpoints { get; init; } = [];

    public IReadOnlyList<ServicePort> Ports { get; init; } = [];

    internal static object Decode(MapNode node) => new EndpointSliceData
    {
        AddressType = NodeRead.String(node["addressType"]),
        ServiceName = NodeRead.String(((node["metadata"] as MapNode)?["labels"] as MapNode)?["kubernetes.io/service-name"]),
        Endpoints = NodeRead.List(node["endpoints"], static n => NodeRead.Object(n, SliceEndpoint.Decode)) ?? [],
        Ports = NodeRead.List(node["ports"], static n => NodeRead.Object(n, ServicePort.Decode)) ?? [],
    };
}

public sealed record SliceEndpoint
{
    public IReadOnlyList<string> Addresses { get; init; } = [];

    /// <summary>conditions.ready; Kubernetes treats an absent value as ready.</summary>
    public bool Ready { get; init; } = true;

    public string? Zone { get; init; }

    public string? NodeName { get; init; }

    public string? TargetPodName { get; init; }

    internal static SliceEndpoint Decode(MapNode node)
    {
        var target = node["targetRef"] as MapNode;
        return new SliceEndpoint
        {
            Addresses = NodeRead.List(node["addresses"], NodeRead.String) ?? [],
            Ready = NodeRead.Bool((node["conditions"] as MapNode)?["ready"]) ?? true,
            Zone = NodeRead.String(node["zone"]),
            NodeName = NodeRead.String(node["nodeName"]),
            TargetPodName = target is not null && NodeRead.String(target["kind"]) == "Pod" ? NodeRead.String(target["name"]) : null,
        };
    }
}
