using Weft.Control.Config;

namespace Weft.Control.Registry;

/// <summary>
/// One service of the mesh, as the generators see it whatever registry it came from: a host name, its addresses (VIPs),
/// ports, how endpoints are resolved and who may see it. A ServiceEntry with several hosts yields one service per host.
/// </summary>
public sealed record MeshService
{
    public required string Hostname { get; init; }

    /// <summary>The namespace of the resource that declared it (visibility and DestinationRule lookup use it).</summary>
    public required string Namespace { get; init; }

    public IReadOnlyList<string> Addresses { get; init; } = [];

    public required IReadOnlyList<ServicePort> Ports { get; init; }

    public Resolution Resolution { get; init; } = Resolution.Static;

    /// <summary>Outside the mesh (ServiceEntry <c>location: MESH_EXTERNAL</c>): no mTLS, marked external in metadata.</summary>
    public bool MeshExternal { get; init; }

    /// <summary>ServiceEntry <c>exportTo</c>: <c>*</c> (default), <c>.</c> (own namespace), <c>~</c> (none), or namespaces.</summary>
    public IReadOnlyList<string> ExportTo { get; init; } = [];

    public IReadOnlyList<string> SubjectAltNames { get; init; } = [];

    /// <summary>The resource that declared it.</summary>
    public required ConfigKey Origin { get; init; }

    /// <summary>Whether the host is a wildcard (<c>*.example.com</c>).</summary>
    public bool IsWildcard => Hostname.StartsWith('*');

    public ServicePort? Port(int number) => Ports.FirstOrDefault(p => p.Number == number);

    public ServicePort? PortByName(string name) => Ports.FirstOrDefault(p => p.Name == name);
}
