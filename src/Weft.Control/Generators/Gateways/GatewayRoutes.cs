using Weft.Control.Generators.Routes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// The route configurations a gateway's listeners name (<c>http.PORT</c>, <c>https.PORT.NAME.GW.NS</c>), as Istio's
/// buildGatewayHTTPRouteConfig builds them: for each server reading the configuration, the VirtualServices bound to
/// its Gateway give one virtual host per host both declare (domain = that host only, no short names, no catch-all);
/// hosts served with the same routes share one virtual host; <c>httpsRedirect</c> makes a host require TLS. With no
/// virtual host at all the configuration holds <c>blackhole:PORT</c>, which answers 404.
/// </summary>
internal static class GatewayRoutes
{
    public static RouteConfiguration? Build(ProxyNode proxy, PushContext push, string name)
    {
        var servers = MergedGateway.For(proxy, push).ServersForRoute(name);
        if (servers.Count == 0)
        {
            // A listener being drained may still ask for a configuration its Gateway no longer has.
            return new RouteConfiguration { Name = name, ValidateClusters = false };
        }

        var attemptCount = RouteGenerator.AttemptCount(proxy, push);
        var routesByGatewayAndService = new Dictionary<(string, Config.ConfigKey), IReadOnlyList<Route>>();
        var byHost = new Dictionary<string, VirtualHost>(StringComparer.Ordinal);
        foreach (var server in servers)
        {
            foreach (var vs in push.VirtualServices.For(server.GatewayName, proxy.Namespace, push.Mesh))
            {
                var hosts = GatewayHosts.Intersection(GatewayHosts.ForNamespace(server.Hosts, vs.Namespace), vs.Hosts);
                if (hosts.Count == 0)
                {
                    continue;
                }

                // Built once per Gateway and VirtualService: hosts sharing these very routes can share a virtual host.
                if (!routesByGatewayAndService.TryGetValue((server.GatewayName, vs.Key), out var routes))
                {
                    routes = HttpRouteBuilder.Build(new RouteContext(proxy, push, server.Port, server.GatewayName), vs);
                    routesByGatewayAndService[(server.GatewayName, vs.Key)] = routes;
                }

                foreach (var host in hosts.Select(h => h.ToLowerInvariant()))
                {
                    if (!byHost.TryGetValue(host, out var vhost))
                    {
                        vhost = byHost[host] = new VirtualHost
                        {
                            Name = ResourceNames.VirtualHost(host, server.Port),
                            Domains = { host },
                            IncludeRequestAttemptCount = attemptCount,
                        };
                    }

                    vhost.Routes.AddRange(routes);
                    if (server.HttpsRedirect)
                    {
                        vhost.RequireTls = VirtualHost.Types.TlsRequirementType.All;
                    }
                }
            }

            if (server.HttpsRedirect)
            {
                foreach (var host in server.Hosts.Select(h => GatewayServer.HostName(h).ToLowerInvariant()))
                {
                    if (!byHost.TryGetValue(host, out var vhost))
                    {
                        vhost = byHost[host] = new VirtualHost
                        {
                            Name = ResourceNames.VirtualHost(host, server.Port),
                            Domains = { host },
                            IncludeRequestAttemptCount = attemptCount,
                        };
                    }

                    vhost.RequireTls = VirtualHost.Types.TlsRequirementType.All;
                }
            }
        }

        var config = new RouteConfiguration
        {
            Name = name,
            ValidateClusters = false,
            IgnorePortInHostMatching = !proxy.IsProxylessGrpc,
            MaxDirectResponseBodySizeBytes = RouteGenerator.MaxDirectResponseBodyBytes,
        };
        if (byHost.Count == 0)
        {
            config.VirtualHosts.Add(new VirtualHost { Name = ResourceNames.GatewayBlackholeVirtualHost(servers[0].Port), Domains = { "*" } });
            return config;
        }

        var hostsOut = Collapse(byHost);
        foreach (var vhost in hostsOut)
        {
            CatchAllLast(vhost);
        }

        config.VirtualHosts.AddRange(hostsOut.OrderBy(v => v.Name, StringComparer.Ordinal));
        return config;
    }

    /// <summary>
    /// Hosts with the very same routes (the same route objects, in order) and TLS requirement share the virtual host
    /// of the first of them alphabetically, which lists all their domains.
    /// </summary>
    private static List<VirtualHost> Collapse(Dictionary<string, VirtualHost> byHost)
    {
        var result = new List<VirtualHost>();
        foreach (var host in byHost.Keys.Order(StringComparer.Ordinal))
        {
            var vhost = byHost[host];
            var same = result.FirstOrDefault(v => v.RequireTls == vhost.RequireTls
                && v.IncludeRequestAttemptCount == vhost.IncludeRequestAttemptCount
                && v.Routes.Count == vhost.Routes.Count
                && v.Routes.Zip(vhost.Routes).All(pair => ReferenceEquals(pair.First, pair.Second)));
            if (same is null)
            {
                result.Add(vhost);
            }
            else
            {
                same.Domains.AddRange(vhost.Domains);
            }
        }

        return result;
    }

    /// <summary>
    /// Routes matching everything (prefix <c>/</c> or regex <c>.*</c>, no headers, query or metadata) move after the
    /// others, so that one VirtualService's catch-all does not hide another's specific routes on the same host.
    /// </summary>
    private static void CatchAllLast(VirtualHost vhost)
    {
        var ordered = vhost.Routes.Where(r => !IsCatchAll(r)).Concat(vhost.Routes.Where(IsCatchAll)).ToList();
        vhost.Routes.Clear();
        vhost.Routes.AddRange(ordered);
    }

    private static bool IsCatchAll(Route route)
    {
        var match = route.Match;
        var everything = match.PathSpecifierCase switch
        {
            RouteMatch.PathSpecifierOneofCase.Prefix => match.Prefix == "/",
            RouteMatch.PathSpecifierOneofCase.PathSeparatedPrefix => match.PathSeparatedPrefix == "/",
            RouteMatch.PathSpecifierOneofCase.SafeRegex => match.SafeRegex.Regex == ".*",
            _ => false,
        };
        return everything && match.Headers.Count == 0 && match.QueryParameters.Count == 0 && match.DynamicMetadata.Count == 0;
    }
}
