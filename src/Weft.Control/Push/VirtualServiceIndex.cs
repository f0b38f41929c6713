using Weft.Api.Model.Networking;
using Weft.Control.Config;
using Weft.Control.Model;

namespace Weft.Control.Push;

/// <summary>
/// The VirtualServices in force, with hosts and gateways completed and delegates merged into their roots. Delegate
/// VirtualServices (no hosts) are not served on their own.
/// </summary>
public sealed class VirtualServiceIndex
{
    /// <summary>The gateway name that stands for every sidecar.</summary>
    public const string Mesh = "mesh";

    private readonly IReadOnlyList<VirtualServiceView> _all;

    private VirtualServiceIndex(IReadOnlyList<VirtualServiceView> all) => _all = all;

    public IReadOnlyList<VirtualServiceView> All => _all;

    public static VirtualServiceIndex Build(ConfigSnapshot config, MeshConfig mesh)
    {
        var stored = config.OfKind("VirtualService");
        var delegates = stored.Where(r => r.Spec<VirtualServiceSpec>().Hosts is not { Count: > 0 })
            .ToDictionary(r => (r.Key.Namespace, r.Key.Name));
        var views = new List<VirtualServiceView>();
        foreach (var resource in stored)
        {
            var spec = resource.Spec<VirtualServiceSpec>();
            if (spec.Hosts is not { Count: > 0 })
            {
                continue;
            }

            var ns = resource.Key.Namespace;
            var hosts = spec.Hosts.Select(h => Hosts.Resolve(h, ns)).ToArray();
            var gateways = (spec.Gateways is { Count: > 0 } g ? g : [Mesh]).Select(name => GatewayNames.Resolve(name, ns)).Distinct().ToArray();
            var http = DelegateMerger.Merge(resource.Key, spec.Http ?? [], (name, delegateNs) =>
                delegates.TryGetValue((string.IsNullOrEmpty(delegateNs) ? ns : delegateNs, name), out var d)
                    && Hosts.Visible(d.Spec<VirtualServiceSpec>().ExportTo ?? [], d.Key.Namespace, ns, mesh.DefaultExportTo)
                    ? d.Spec<VirtualServiceSpec>()
                    : null);
            views.Add(new VirtualServiceView(resource.Key, spec, hosts, gateways, http));
        }

        return new VirtualServiceIndex(views);
    }

    /// <summary>
    /// The VirtualServices bound to a gateway (<see cref="Mesh"/> for sidecars) and visible in <paramref name="ns"/>: those
    /// of the namespace itself first, then the others, each group by name.
    /// </summary>
    public IReadOnlyList<VirtualServiceView> For(string gateway, string ns, MeshConfig mesh) =>
        _byGatewayAndNamespace.GetOrAdd((gateway, ns), key => Select(key.Gateway, key.Ns, mesh));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Gateway, string Ns), IReadOnlyList<VirtualServiceView>> _byGatewayAndNamespace = new();

    private IReadOnlyList<VirtualServiceView> Select(string gateway, string ns, MeshConfig mesh) =>
        _all.Where(v => v.Gateways.Contains(gateway) && Hosts.Visible(v.Spec.ExportTo ?? [], v.Namespace, ns, mesh.DefaultExportTo))
            .OrderBy(v => v.Namespace == ns ? 0 : 1)
            .ThenBy(v => v.Namespace, StringComparer.Ordinal)
            .ThenBy(v => v.Name, StringComparer.Ordinal)
            .ToArray();
}
