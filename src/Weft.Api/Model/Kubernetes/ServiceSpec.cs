using Weft.Api.Documents;
using Weft.Api.Model.Decoding;

namespace Weft.Api.Model.Kubernetes;

/// <summary>The parts of a Kubernetes Service spec Weft reads.</summary>
public sealed record ServiceSpec
{
    public string? Type { get; init; }

    public string? ClusterIP { get; init; }

    public IReadOnlyList<string>? ClusterIPs { get; init; }

    public IReadOnlyDictionary<string, string>? Selector { get; init; }

    public IReadOnlyList<ServicePort> Ports { get; init; } = [];

    public string? ExternalName { get; init; }

    internal static object Decode(MapNode node) => new ServiceSpec
    {
        Type = NodeRead.String(node["type"]),
        ClusterIP = NodeRead.String(node["clusterIP"]),
        ClusterIPs = NodeRead.List(node["clusterIPs"], NodeRead.String),
        Selector = NodeRead.Map(node["selector"], NodeRead.String),
        Ports = NodeRead.List(node["ports"], static n => NodeRead.Object(n, ServicePort.Decode)) ?? [],
        ExternalName = NodeRead.String(node["externalName"]),
    };
}

public sealed record ServicePort
{
    public string? Name { get; init; }

    public long? Port { get; init; }

    /// <summary>The target port: a number or a container port name, as written.</summary>
    public string? TargetPort { get; init; }

    public string? Protocol { get; init; }

    public string? AppProtocol { get; init; }

    internal static ServicePort Decode(MapNode node) => new()
    {
        Name = NodeRead.String(node["name"]),
        Port = NodeRead.Long(node["port"]),
        TargetPort = NodeRead.String(node["targetPort"]),
        Protocol = NodeRead.String(node["protocol"]),
        AppProtocol = NodeRead.String(node["appProtocol"]),
    };
}
