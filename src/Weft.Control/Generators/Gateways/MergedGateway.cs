using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// The servers of every Gateway that selects a gateway proxy, merged per listening port as Istio's mergeGateways does:
/// plaintext HTTP servers on a port share one route configuration (<c>http.PORT</c>); TLS servers on a port are told
/// apart by SNI (each terminating HTTPS server has its own <c>https.PORT.NAME.GW.NS</c> routes); servers that cannot
/// share a port with what is already there, or repeat a TLS host on it, are dropped. Gateways in any namespace apply
/// (PILOT_SCOPE_GATEWAY_TO_NAMESPACE is off by default); a Gateway without a selector applies to every gateway proxy.
/// </summary>
internal sealed class MergedGateway
{
    private readonly Dictionary<GatewayServerPort, List<GatewayServer>> _servers = [];
    private readonly Dictionary<string, List<GatewayServer>> _byRoute = new(StringComparer.Ordinal);

    /// <summary>Listening ports in the order their first server was merged.</summary>
    public List<GatewayServerPort> Ports { get; } = [];

    public IReadOnlyList<GatewayServer> Servers(GatewayServerPort port) => _servers.TryGetValue(port, out var list) ? list : [];

    /// <summary>The HTTP servers whose virtual hosts a route configuration holds; empty for an unknown name.</summary>
    public IReadOnlyList<GatewayServer> ServersForRoute(string routeName) => _byRoute.TryGetValue(routeName, out var list) ? list : [];

    public static MergedGateway For(ProxyNode proxy, PushContext push) =>
        push.Cached(("merged-gateway", proxy.Id, proxy.Namespace, string.Join(',', proxy.Labels.OrderBy(kv => kv.Key, StringComparer.Ordinal))), () => Build(proxy, push));

    private static MergedGateway Build(ProxyNode proxy, PushContext push)
    {
        var merged = new MergedGateway();
        var targets = InboundEndpoints.For(proxy, push);
        var plaintext = new Dictionary<int, GatewayServerPort>();
        var tlsPortBinds = new Dictionary<int, HashSet<string>>();
        var tlsHosts = new Dictionary<int, Dictionary<string, string>>();
        var ports = new HashSet<int>();
        foreach (var stored in push.Gateways)
        {
            var spec = stored.Spec<GatewaySpec>();
            if (spec.Selector is { Count: > 0 } selector && !selector.All(kv => proxy.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
            {
                continue;
            }

            foreach (var declared in spec.Servers ?? [])
            {
                if (declared.Port?.Number is not { } number)
                {
                    continue;
                }

                var server = GatewayServer.Sanitize(declared, stored.Key.Namespace);
                var listenPort = ListenPort((int)number, targets);
                var probe = new GatewayServer(server, stored.Key, listenPort, string.Empty);
                var candidate = probe with { RouteName = RouteName(probe) };
                merged.Add(candidate, ports, plaintext, tlsPortBinds, tlsHosts);
            }
        }

        return merged;
    }

    private void Add(GatewayServer server, HashSet<int> ports, Dictionary<int, GatewayServerPort> plaintext,
        Dictionary<int, HashSet<string>> tlsPortBinds, Dictionary<int, Dictionary<string, string>> tlsHosts)
    {
        var port = server.ListenPort;
        if (server.Server.Tls is not null)
        {
            // Envoy rejects two chains with the same SNI match on one listener: a host already served on this port and bind loses.
            var known = tlsHosts.TryGetValue(port, out var k) ? k : tlsHosts[port] = new Dictionary<string, string>(StringComparer.Ordinal);
            if (server.Hosts.Any(h => known.TryGetValue(h, out var bind) && bind == server.Bind))
            {
                return;
            }

            foreach (var host in server.Hosts)
            {
                known[host] = server.Bind;
            }
        }

        var serverPort = new GatewayServerPort(port, server.Server.Port?.Protocol ?? string.Empty, server.Bind);
        if (!ports.Add(port))
        {
            if (plaintext.TryGetValue(port, out var current))
            {
                var sameBind = current.Bind == serverPort.Bind;
                if (sameBind && (!CanMerge(Protocols.Parse(current.Protocol), server.Protocol) || server.RouteName.Length == 0))
                {
                    return;
                }

                if (!sameBind && !_servers.ContainsKey(serverPort))
                {
                    AddNew(server, serverPort, plaintext);
                    return;
                }

                var target = sameBind ? current : serverPort;
                _servers[target].Add(server);
                ByRoute(server.RouteName).Add(server);
                return;
            }

            if (!server.IsTlsServer)
            {
                plaintext[port] = serverPort;
                if (server.IsHttpServer)
                {
                    _byRoute[server.RouteName] = [server];
                }

                _servers[serverPort] = [server];
                Ports.Add(serverPort);
                return;
            }

            if (server.IsHttpServer)
            {
                // Terminating HTTPS servers on one port each need routes of their own.
                if (server.RouteName.Length == 0 || _byRoute.ContainsKey(server.RouteName))
                {
                    return;
                }

                _byRoute[server.RouteName] = [server];
            }

            var binds = tlsPortBinds.TryGetValue(port, out var b) ? b : tlsPortBinds[port] = new HashSet<string>(StringComparer.Ordinal);
            if (!binds.Add(serverPort.Bind) && server.Server.Tls is null)
            {
                return;
            }

            if (_servers.TryGetValue(serverPort, out var existing))
            {
                existing.Add(server);
            }
            else
            {
                _servers[serverPort] = [server];
                Ports.Add(serverPort);
            }

            return;
        }

        AddNew(server, serverPort, plaintext);
    }

    private void AddNew(GatewayServer server, GatewayServerPort serverPort, Dictionary<int, GatewayServerPort> plaintext)
    {
        if (!server.IsTlsServer)
        {
            plaintext[serverPort.Number] = serverPort;
        }

        if (server.IsHttpServer)
        {
            _byRoute[server.RouteName] = [server];
        }

        _servers[serverPort] = [server];
        Ports.Add(serverPort);
    }

    private List<GatewayServer> ByRoute(string routeName) =>
        _byRoute.TryGetValue(routeName, out var list) ? list : _byRoute[routeName] = [];

    /// <summary>Plaintext servers share a port only when both are HTTP (or the same protocol and the newcomer is HTTP).</summary>
    private static bool CanMerge(Protocol current, Protocol incoming) => (current.IsHttp() || current == incoming) && incoming.IsHttp();

    /// <summary>
    /// The port the proxy listens on for a server port: the target port of the first service port of that number its
    /// workload serves, else the port as written (Istio's port translation for selector-matched gateways).
    /// </summary>
    private static int ListenPort(int number, IReadOnlyList<ServiceEndpoint> targets) =>
        targets.FirstOrDefault(t => t.ServicePort.Number == number && t.Port > 0)?.Port ?? number;

    /// <summary>Istio's gateway route names; servers that terminate no HTTP have none.</summary>
    private static string RouteName(GatewayServer server)
    {
        if (server.Protocol.IsHttp())
        {
            return ResourceNames.GatewayHttpRouteConfig(server.ListenPort, server.Bind);
        }

        return server.Protocol == Protocol.Https && !server.IsPassthrough
            ? ResourceNames.GatewayHttpsRouteConfig(server.Port, server.Server.Port?.Name ?? string.Empty, server.Gateway.Name, server.Gateway.Namespace, server.Bind)
            : string.Empty;
    }
}
