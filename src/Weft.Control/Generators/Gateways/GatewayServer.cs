using Weft.Api.Model.Networking;
using Weft.Control.Config;
using Weft.Control.Registry;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// One server of a Gateway as a gateway proxy serves it: the server with its hosts normalised (<c>./h</c> to
/// <c>GWNS/h</c>, <c>*/h</c> to <c>h</c>), the Gateway it belongs to, the port the proxy listens on for it (the
/// service's target port when the server port is a port of a service the gateway workload serves) and the route
/// configuration its HTTP traffic reads.
/// </summary>
internal sealed record GatewayServer(Server Server, ConfigKey Gateway, int ListenPort, string RouteName)
{
    /// <summary>The Gateway as VirtualServices name it: <c>NAMESPACE/NAME</c>.</summary>
    public string GatewayName => $"{Gateway.Namespace}/{Gateway.Name}";

    /// <summary>The server port as written (VirtualService port matches and virtual host names use it).</summary>
    public int Port => (int)(Server.Port?.Number ?? 0);

    public Protocol Protocol => Protocols.Parse(Server.Port?.Protocol);

    public string Bind => Server.Bind ?? string.Empty;

    public IReadOnlyList<string> Hosts => Server.Hosts ?? [];

    /// <summary>The TLS mode; the API's default (no mode) is PASSTHROUGH.</summary>
    public string TlsMode => Server.Tls?.Mode is { Length: > 0 } mode ? mode : "PASSTHROUGH";

    /// <summary>TLS that the gateway forwards without terminating (PASSTHROUGH, AUTO_PASSTHROUGH).</summary>
    public bool IsPassthrough => Server.Tls is not null && TlsMode is "PASSTHROUGH" or "AUTO_PASSTHROUGH";

    /// <summary>A non-HTTP server with TLS settings (an HTTP server's <c>tls</c> only asks for an HTTPS redirect).</summary>
    public bool IsTlsServer => Server.Tls is not null && !Protocol.IsHttp();

    /// <summary>A server whose traffic is HTTP by the time it is routed: HTTP, or HTTPS terminated here.</summary>
    public bool IsHttpServer => Protocol.IsHttp() || IsHttpsTermination;

    public bool IsHttpsTermination => Server.Tls is not null && Protocol == Protocol.Https && !IsPassthrough;

    public bool HttpsRedirect => Server.Tls?.HttpsRedirect == true;

    /// <summary>The SNI names a TLS server matches: its hosts without namespaces, distinct and sorted.</summary>
    public IReadOnlyList<string> SniHosts => Server.Tls is null
        ? []
        : Hosts.Select(HostName).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();

    /// <summary>A host without its <c>NAMESPACE/</c> part.</summary>
    public static string HostName(string host)
    {
        var slash = host.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? host : host[(slash + 1)..];
    }

    /// <summary>
    /// Istio's host normalisation of a server declared in <paramref name="ns"/>: <c>./h</c> means the Gateway's
    /// namespace, <c>*/h</c> any namespace (plain <c>h</c>), and <c>*/*</c> every host.
    /// </summary>
    public static Server Sanitize(Server server, string ns)
    {
        if (server.Hosts is not { } hosts || !hosts.Any(h => h.Contains('/', StringComparison.Ordinal)))
        {
            return server;
        }

        var result = new List<string>();
        foreach (var host in hosts)
        {
            var slash = host.IndexOf('/', StringComparison.Ordinal);
            if (slash < 0)
            {
                result.Add(host);
                continue;
            }

            var (hostNs, name) = (host[..slash], host[(slash + 1)..]);
            if (hostNs == "*" && name == "*")
            {
                return server with { Hosts = ["*"] };
            }

            result.Add(hostNs switch
            {
                "." => $"{ns}/{name}",
                "*" => name,
                _ => host,
            });
        }

        return server with { Hosts = result };
    }
}
