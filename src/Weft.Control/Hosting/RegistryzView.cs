using Weft.Control.Push;

namespace Weft.Control.Hosting;

/// <summary>The JSON shape of /debug/registryz: every service with its ports and, per port, its endpoints.</summary>
internal sealed record RegistryzView(string Version, IReadOnlyList<RegistryzView.ServiceEntry> Services)
{
    public static RegistryzView Of(PushContext push) => new(push.VersionInfo, push.Registry.Services.Select(s => new ServiceEntry(
        s.Hostname,
        s.Namespace,
        s.Addresses,
        s.Resolution.ToString(),
        s.MeshExternal ? "MESH_EXTERNAL" : "MESH_INTERNAL",
        s.ExportTo,
        s.Origin.ToString(),
        s.Ports.Select(p => new PortEntry(p.Name, p.Number, Registry.Protocols.Name(p.Protocol), p.TargetPort,
            push.Endpoints(s, p.Number).Select(e => new EndpointEntry(e.Workload.Address, e.Port, e.Workload.Name.Length > 0 ? e.Workload.Name : null, e.Workload.Labels, e.Workload.Locality, e.Workload.Weight > 0 ? e.Workload.Weight : 1, e.Workload.ServiceAccount, e.Workload.TlsMode)).ToArray())).ToArray())).ToArray());

    public sealed record ServiceEntry(string Hostname, string Namespace, IReadOnlyList<string> Addresses, string Resolution, string Location, IReadOnlyList<string> ExportTo, string Origin, IReadOnlyList<PortEntry> Ports);

    public sealed record PortEntry(string Name, int Number, string Protocol, int TargetPort, IReadOnlyList<EndpointEntry> Endpoints);

    public sealed record EndpointEntry(string Address, int Port, string? Workload, IReadOnlyDictionary<string, string> Labels, string Locality, int Weight, string ServiceAccount, string TlsMode);
}
