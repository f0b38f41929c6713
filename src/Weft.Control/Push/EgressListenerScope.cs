using Weft.Api.Model.Networking;
using Weft.Control.Registry;

namespace Weft.Control.Push;

/// <summary>
/// One egress listener of a proxy's Sidecar, or the implicit catch-all (<c>*/*</c>) when the proxy has no Sidecar or
/// the Sidecar lists no egress: the services and mesh-bound VirtualServices its hosts import. Outbound listeners and the
/// route configurations they name are built from one of these, never from everything the proxy can see, so that a
/// listener on an explicit port only serves the hosts it declares.
/// </summary>
/// <param name="Listener">The Sidecar's egress entry; null for the implicit catch-all.</param>
/// <param name="Services">Imported services, one per host; for a listener with a port, only services having that port.</param>
/// <param name="VirtualServices">Imported VirtualServices bound to the mesh, in precedence order.</param>
public sealed record EgressListenerScope(
    IstioEgressListener? Listener,
    IReadOnlyList<MeshService> Services,
    IReadOnlyList<VirtualServiceView> VirtualServices)
{
    /// <summary>The listener's port; 0 for a catch-all listener and for one bound to a unix socket.</summary>
    public int Port => (int)(Listener?.Port?.Number ?? 0);

    /// <summary>Whether this is the catch-all listener (no port): it covers every service port not claimed before it.</summary>
    public bool IsCatchAll => Listener?.Port is null;
}
