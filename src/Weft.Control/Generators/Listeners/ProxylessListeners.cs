using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// Listeners for proxyless gRPC clients, as Istio's grpcgen serves them: a client dialing <c>xds:///HOST:PORT</c> asks for
/// a listener of exactly that name; it gets an <c>api_listener</c> whose connection manager reads the route configuration
/// <c>outbound|PORT||FQDN</c>. Short names are completed in the client's namespace.
/// </summary>
internal static class ProxylessListeners
{
    public static IEnumerable<Listener> Build(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        foreach (var name in ((IEnumerable<string>?)names ?? []).Order(StringComparer.Ordinal))
        {
            if (name.StartsWith(ResourceNames.ProxylessInboundListenerPrefix, StringComparison.Ordinal))
            {
                continue; // gRPC servers (xDS-enabled): not served yet.
            }

            var colon = name.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(name[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            var host = Hosts.Resolve(name[..colon], proxy.Namespace);
            if (push.Service(host, proxy.Namespace) is not { } service || service.Port(port) is null)
            {
                continue;
            }

            var manager = ConnectionManagers.Proxyless(ResourceNames.OutboundCluster(port, service.Hostname));
            yield return new Listener
            {
                Name = name,
                Address = Envoy.SocketAddress(service.Addresses.Count > 0 ? service.Addresses[0] : ResourceNames.WildcardAddress, port),
                ApiListener = new ApiListener { ApiListener_ = Any.Pack(manager) },
            };
        }
    }
}
