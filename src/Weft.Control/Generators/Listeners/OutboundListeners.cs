using ServiceEntrySpec = Weft.Api.Model.Networking.ServiceEntrySpec;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// A sidecar's per-port outbound listeners, built as Istio's buildSidecarOutboundListeners does. Egress listeners are
/// taken in order: one with a port builds that port for each service it imports (binding a real socket for
/// <c>captureMode: NONE</c>, a unix bind, or a proxy without interception); the catch-all one then builds every port
/// of every service it imports, except ports an earlier egress listener claimed. HTTP ports share a wildcard listener
/// (<c>0.0.0.0_PORT</c>) whose HTTP chain matches plaintext HTTP by ALPN; TCP ports listen on the service address
/// (<c>VIP_PORT</c>), CIDR addresses become a wildcard listener with prefix-matched chains, and headless TCP services
/// get a listener per endpoint. Ports whose protocol is detected get both an HTTP chain (RDS <c>HOST:PORT</c>) and TCP
/// chains; HTTP and TCP services on one port merge the same way.
/// </summary>
internal sealed class OutboundListeners
{
    private readonly ProxyNode _proxy;
    private readonly PushContext _push;
    private readonly ProxyAddresses _addresses;
    private readonly ProxyHeaders _headers;
    private readonly Dictionary<(string Bind, int Port), OutboundListenerEntry> _entries = [];

    private OutboundListeners(ProxyNode proxy, PushContext push)
    {
        _proxy = proxy;
        _push = push;
        _addresses = ProxyAddresses.For(proxy);
        _headers = ProxyHeaderSettings.For(proxy, push.Mesh);
    }

    public static IReadOnlyList<Listener> Build(ProxyNode proxy, PushContext push)
    {
        var builder = new OutboundListeners(proxy, push);
        foreach (var egress in EgressListeners.For(proxy, push))
        {
            builder.Add(egress);
        }

        var policy = push.SidecarScope(proxy).OutboundPolicy(push.Mesh);
        return builder._entries.Values
            .Select(entry => OutboundListenerWriter.Write(entry, push.Mesh, policy))
            .OrderBy(l => l.Name, StringComparer.Ordinal)
            .ToArray();
    }

    private void Add(EgressListenerScope egress)
    {
        var listener = egress.Listener;
        var explicitBind = listener?.Bind ?? string.Empty;
        var bindToPort = ProxyAddresses.NoInterception(_proxy)
            || listener?.CaptureMode == "NONE"
            || explicitBind.StartsWith(OutboundListenerWriter.UnixPrefix, StringComparison.Ordinal);
        var bind = explicitBind.Length > 0 ? explicitBind : bindToPort ? _addresses.Localhost : string.Empty;

        if (!egress.IsCatchAll)
        {
            var declared = listener!.Port!;
            var port = new ServicePort(declared.Name ?? string.Empty, egress.Port, Protocols.Parse(declared.Protocol));
            if (ConflictsWithVirtualListener(bind, port))
            {
                return;
            }

            foreach (var service in egress.Services)
            {
                AddTarget(new OutboundTarget(bind, bindToPort, port, service), egress.VirtualServices);
            }

            return;
        }

        // Ports built for explicit egress listeners belong to them: the catch-all adds nothing there.
        foreach (var entry in _entries.Values)
        {
            entry.Locked = true;
        }

        foreach (var service in egress.Services)
        {
            foreach (var port in service.Ports)
            {
                if (ConflictsWithVirtualListener(bind, port))
                {
                    continue;
                }

                var target = new OutboundTarget(bind, bindToPort, port, service);
                if (bind.Length == 0 && service.Resolution == Resolution.Passthrough && service.Addresses.Count == 0
                    && (port.Protocol.IsTcp() || port.Protocol == Protocol.Unsupported))
                {
                    AddHeadless(target, egress.VirtualServices);
                }
                else
                {
                    AddTarget(target, egress.VirtualServices);
                }
            }
        }
    }

    /// <summary>
    /// A headless TCP service has no address to listen on: each endpoint gets its own <c>IP_PORT</c> listener. A
    /// ServiceEntry that selects no workloads and has no endpoints yet falls back to a wildcard listener.
    /// </summary>
    private void AddHeadless(OutboundTarget target, IReadOnlyList<VirtualServiceView> virtualServices)
    {
        var endpoints = _push.Endpoints(target.Service, target.Port.Number);
        if (endpoints.Count == 0 && target.Service.Origin.Kind != "Service" && !SelectsWorkloads(target.Service))
        {
            AddTarget(target, virtualServices);
            return;
        }

        foreach (var endpoint in endpoints)
        {
            var address = endpoint.Workload.Address;
            if (!ProxyAddresses.IsIp(address) || (_proxy.IpAddresses.Count > 0 && address == _proxy.IpAddresses[0]))
            {
                continue; // Host names cannot be listened on, and traffic to the proxy's own address is not outbound.
            }

            AddTarget(target with { Bind = address }, virtualServices);
        }
    }

    private bool SelectsWorkloads(MeshService service) =>
        _push.Config.Resources.TryGetValue(service.Origin, out var resource)
        && resource.Resource.Spec is ServiceEntrySpec { WorkloadSelector: not null };

    /// <summary>Resolves where the listener binds when no bind was given, then adds it.</summary>
    private void AddTarget(OutboundTarget target, IReadOnlyList<VirtualServiceView> virtualServices)
    {
        var protocol = ListenerProtocols.Of(target.Port.Protocol);
        var addresses = ServiceListenAddresses.For(target.Service, _addresses.Wildcard);
        if (target.Bind.Length > 0 || protocol == ListenerProtocol.Unknown)
        {
            AddOne(target, addresses[0], virtualServices);
            return;
        }

        if (protocol == ListenerProtocol.Http)
        {
            AddOne(target with { Bind = _addresses.Wildcard }, addresses[0], virtualServices);
            return;
        }

        // TCP listens on each service address; a CIDR listens on the wildcard and matches the prefix in its chains.
        foreach (var address in addresses)
        {
            var resolved = address.Contains('/', StringComparison.Ordinal)
                ? target with { Bind = _addresses.Wildcard, Cidrs = [address] }
                : target with { Bind = address };
            AddOne(resolved, address, virtualServices);
        }
    }

    private void AddOne(OutboundTarget target, string listenAddress, IReadOnlyList<VirtualServiceView> virtualServices)
    {
        var key = (target.Bind, target.Port.Number);
        _entries.TryGetValue(key, out var current);
        if (current?.Locked == true)
        {
            return;
        }

        var conflict = ListenerConflict.None;
        var entryProtocol = target.Port.Protocol;
        IReadOnlyList<ChainOptions> chains;
        switch (ListenerProtocols.Of(target.Port.Protocol))
        {
            case ListenerProtocol.Http:
                if (current is not null)
                {
                    if (!current.Protocol.IsTcp())
                    {
                        return; // The port's HTTP listener exists: routes, not chains, tell its services apart.
                    }

                    conflict = ListenerConflict.HttpOverTcp;
                }

                var http = OutboundHttpChains.For(target, ListenerProtocol.Http, _addresses.Wildcard, _headers);
                if (target.Bind == _addresses.Wildcard)
                {
                    // Matching HTTP by ALPN leaves room for TCP to other destinations on this port (passthrough).
                    http = OutboundHttpChains.Detecting(http);
                    entryProtocol = Protocol.Unsupported;
                }

                chains = [http];
                break;

            case ListenerProtocol.Tcp:
                chains = OutboundTcpChains.Build(_proxy, _push, target, listenAddress, _addresses.Wildcard, virtualServices);
                if (current is not null)
                {
                    conflict = current.Protocol.IsHttp() ? ListenerConflict.TcpOverHttp
                        : current.Protocol.IsTcp() ? ListenerConflict.TcpOverTcp
                        : ListenerConflict.TcpOverAuto;
                }

                break;

            case ListenerProtocol.Auto:
                var tcp = OutboundTcpChains.Build(_proxy, _push, target, listenAddress, _addresses.Wildcard, virtualServices);
                if (current is not null && current.Protocol == Protocol.Unsupported)
                {
                    // Already detected (another endpoint or service): only its TCP chains are new.
                    conflict = ListenerConflict.TcpOverAuto;
                    chains = tcp;
                    break;
                }

                if (current is not null)
                {
                    conflict = current.Protocol.IsHttp() ? ListenerConflict.AutoOverHttp : ListenerConflict.AutoOverTcp;
                }

                chains = [.. tcp, OutboundHttpChains.Detecting(OutboundHttpChains.For(target, ListenerProtocol.Auto, _addresses.Wildcard, _headers))];
                break;

            default:
                return; // UDP and the like are not proxied.
        }

        if (current is not null && ServerFirstConflict(target.Port.Protocol, current.Protocol))
        {
            return;
        }

        switch (conflict)
        {
            case ListenerConflict.None:
            case ListenerConflict.AutoOverHttp:
                _entries[key] = new OutboundListenerEntry(target.Bind, target.BindToPort, target.Port, entryProtocol, chains);
                break;
            case ListenerConflict.HttpOverTcp:
            case ListenerConflict.TcpOverHttp:
            case ListenerConflict.AutoOverTcp:
                current!.MergeChains(chains);
                current.Protocol = Protocol.Unsupported;
                break;
            default:
                current!.MergeChains(chains);
                break;
        }
    }

    /// <summary>
    /// Mongo and MySQL speak first from the server side: a listener that sniffs cannot serve them, so they never share a
    /// port with another protocol.
    /// </summary>
    private static bool ServerFirstConflict(Protocol incoming, Protocol existing) =>
        (incoming is Protocol.Mongo or Protocol.Mysql || existing is Protocol.Mongo or Protocol.Mysql) && incoming != existing;

    /// <summary>
    /// A wildcard listener (explicit wildcard bind, or an HTTP port without a bind) on the capture ports would take the
    /// virtual listeners' traffic; Istio skips such ports.
    /// </summary>
    private bool ConflictsWithVirtualListener(string bind, ServicePort port)
    {
        if (bind.Length > 0 ? bind != _addresses.Wildcard : !port.Protocol.IsHttp())
        {
            return false;
        }

        return port.Number == _push.Mesh.ProxyListenPort || port.Number == _push.Mesh.ProxyInboundListenPort;
    }
}
