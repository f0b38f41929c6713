using System.Globalization;
using Weft.Api.Model.Networking;
using Weft.Api.Model.Security;
using Weft.Control.Push;
using Weft.Control.Registry;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// The mTLS mode PeerAuthentication gives a destination, as cluster and endpoint generation need it (Istio's
/// AuthenticationPolicies and ComposePeerAuthentication). A policy without a selector is namespace-wide, or mesh-wide in
/// the root namespace; UNSET inherits from the level above. Where Istio takes the oldest of several policies at a level,
/// Weft takes the first in namespace/name order: resources carry no creation time here.
/// </summary>
internal static class PeerAuthenticationModes
{
    /// <summary>
    /// What a client may assume a service accepts (Istio's BestEffortInferServiceMTLSMode), for auto mTLS: nothing for
    /// services outside the mesh; for passthrough destinations (headless, or a rule's PASSTHROUGH; the
    /// <paramref name="policy"/> is the rule's or subset's own, not port-picked) mTLS only if every endpoint runs a
    /// sidecar; else the namespace's or mesh's PeerAuthentication, else PERMISSIVE.
    /// </summary>
    public static MutualTlsMode ForService(PushContext push, MeshService service, int port, TrafficPolicy? policy)
    {
        if (service.MeshExternal)
        {
            return MutualTlsMode.Unknown;
        }

        if (service.Resolution == Resolution.Passthrough || policy?.LoadBalancer?.Simple == "PASSTHROUGH")
        {
            var endpoints = push.Endpoints(service, port);
            if (endpoints.Count == 0 || endpoints.Any(e => e.Workload.TlsMode == "disabled"))
            {
                return MutualTlsMode.Disable;
            }
        }

        return ForNamespace(push, service.Namespace) is var mode && mode != MutualTlsMode.Unknown ? mode : MutualTlsMode.Permissive;
    }

    /// <summary>The namespace's mode, else the mesh's (Istio's GetNamespaceMutualTLSMode); Unknown when neither exists.</summary>
    public static MutualTlsMode ForNamespace(PushContext push, string ns)
    {
        // A mesh-wide policy left UNSET still counts as PERMISSIVE; no mesh-wide policy at all stays Unknown.
        var mesh = push.PeerAuthentications.Wide(push.Mesh.RootNamespace);
        var meshMode = mesh is null ? MutualTlsMode.Unknown : OrPermissive(Parse(mesh.Mtls?.Mode));
        if (ns == push.Mesh.RootNamespace)
        {
            return meshMode;
        }

        var own = push.PeerAuthentications.Wide(ns);
        if (own is null)
        {
            return meshMode;
        }

        var mode = Parse(own.Mtls?.Mode);
        return mode != MutualTlsMode.Unknown ? mode : OrPermissive(meshMode);
    }

    private static MutualTlsMode OrPermissive(MutualTlsMode mode) => mode == MutualTlsMode.Unknown ? MutualTlsMode.Permissive : mode;

    /// <summary>
    /// The mode a workload's port accepts: mesh, then namespace, then the workload's own policy (and its port-level entry
    /// for <paramref name="port"/>), each overriding the one above unless UNSET; PERMISSIVE when nothing is set.
    /// </summary>
    public static MutualTlsMode ForWorkload(PushContext push, string ns, IReadOnlyDictionary<string, string> labels, int port) =>
        ForWorkload(push, ns, labels).ForPort(port);

    /// <summary>
    /// A workload's modes (Istio's ComposePeerAuthentication): mesh, then namespace, then the workload's own policy (the
    /// first whose selector its labels satisfy), each overriding the one above unless UNSET; PERMISSIVE when nothing is
    /// set. The workload policy's <c>portLevelMtls</c> (keyed by the port the workload receives on) overrides per port,
    /// an UNSET entry taking the workload's mode. Policies with a selector in the root namespace select nothing.
    /// </summary>
    public static WorkloadPeerAuthentication ForWorkload(PushContext push, string ns, IReadOnlyDictionary<string, string> labels)
    {
        var index = push.PeerAuthentications;
        if (index.IsEmpty)
        {
            return WorkloadPeerAuthentication.Permissive;
        }

        var mode = MutualTlsMode.Permissive;
        foreach (var level in new[] { index.Wide(push.Mesh.RootNamespace), ns == push.Mesh.RootNamespace ? null : index.Wide(ns) })
        {
            if (Parse(level?.Mtls?.Mode) is var parsed && parsed != MutualTlsMode.Unknown)
            {
                mode = parsed;
            }
        }

        var workload = ns == push.Mesh.RootNamespace ? null : index.Selecting(ns, labels);
        if (workload is null)
        {
            return new WorkloadPeerAuthentication(mode, new Dictionary<int, MutualTlsMode>());
        }

        if (Parse(workload.Mtls?.Mode) is var own && own != MutualTlsMode.Unknown)
        {
            mode = own;
        }

        var perPort = new Dictionary<int, MutualTlsMode>();
        foreach (var (key, portLevel) in workload.PortLevelMtls ?? new Dictionary<string, MutualTLS>())
        {
            if (int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                perPort[port] = Parse(portLevel?.Mode) is var perMode && perMode != MutualTlsMode.Unknown ? perMode : mode;
            }
        }

        return new WorkloadPeerAuthentication(mode, perPort);
    }

    private static MutualTlsMode Parse(string? mode) => mode switch
    {
        "DISABLE" => MutualTlsMode.Disable,
        "PERMISSIVE" => MutualTlsMode.Permissive,
        "STRICT" => MutualTlsMode.Strict,
        _ => MutualTlsMode.Unknown,
    };
}
