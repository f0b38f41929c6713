using System.Globalization;
using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// RDS. Sidecars ask for route configurations named by port (<c>80</c>), holding a virtual host per service on that port
/// (from its VirtualService, else a default route) and a catch-all last; or <c>HOST:PORT</c> for one service on a port
/// whose protocol is detected. Proxyless gRPC clients ask for <c>outbound|PORT||HOST</c>, holding that host only.
/// Gateways ask for the names their listeners gave (built by the gateway route builder).
/// </summary>
public sealed class RouteGenerator : IXdsGenerator
{
    /// <summary>Istio caps direct-response bodies at 1 MiB.</summary>
    public const uint MaxDirectResponseBodyBytes = 1024 * 1024;

    public string TypeUrl => TypeUrls.RouteConfiguration;

    public ResourceSet GenerateSet(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names) =>
        names is Xds.NameSet subscription
            ? push.Shared(TypeUrl, push.ClassOf(proxy), subscription, () => new ResourceSet(Generate(proxy, push, names)))
            : new ResourceSet(Generate(proxy, push, names));

    public IReadOnlyList<XdsResource> Generate(ProxyNode proxy, PushContext push, IReadOnlySet<string>? names)
    {
        var result = new List<XdsResource>();
        var proxyClass = push.ClassOf(proxy);
        foreach (var name in ((IEnumerable<string>?)names ?? []).Order(StringComparer.Ordinal))
        {
            // A route configuration depends on the proxy's class only (a gateway is a class of its own: its routes also
            // depend on which of its ports are service ports).
            var key = (nameof(RouteGenerator), name, proxyClass);
            var config = push.Cached(key, () => Build(proxy, push, name) is { } built ? new XdsResource(name, built) : (object)Missing.Instance);
            if (config is XdsResource resource)
            {
                result.Add(resource);
            }
        }

        return result;
    }

    internal static RouteConfiguration? Build(ProxyNode proxy, PushContext push, string name)
    {
        if (proxy.Type == ProxyType.Router)
        {
            return Gateways.GatewayRoutes.Build(proxy, push, name);
        }

        if (proxy.IsProxylessGrpc)
        {
            return ResourceNames.TryParseCluster(name, out var cluster) && cluster.Direction == Direction.Outbound
                ? Proxyless(proxy, push, name, cluster.Host, cluster.Port)
                : null;
        }

        if (int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            return ForPort(proxy, push, name, port, onlyHost: null);
        }

        var colon = name.LastIndexOf(':');
        if (colon > 0 && int.TryParse(name[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var hostPort))
        {
            return ForPort(proxy, push, name, hostPort, onlyHost: name[..colon]);
        }

        return null;
    }

    /// <summary>
    /// The route configuration of an outbound port, scoped to the Sidecar egress listener that owns the port (its
    /// hosts only), with the catch-all of the proxy's outbound traffic policy last. A detected port's own configuration
    /// (<c>HOST:PORT</c>) holds just that host's virtual host, for any domain, and no catch-all: the listener chain that
    /// names it was already chosen by destination address.
    /// </summary>
    private static RouteConfiguration ForPort(ProxyNode proxy, PushContext push, string name, int port, string? onlyHost)
    {
        var context = new RouteContext(proxy, push, port);
        var config = new RouteConfiguration
        {
            Name = name,
            ValidateClusters = false,
            IgnorePortInHostMatching = true,
            MaxDirectResponseBodySizeBytes = MaxDirectResponseBodyBytes,
        };
        var egress = EgressListeners.ForRoute(proxy, push, port, name);
        var hosts = egress is null ? [] : VirtualHosts(context, port, onlyHost, egress);
        if (onlyHost is null)
        {
            config.VirtualHosts.AddRange(hosts);
            config.VirtualHosts.Add(CatchAll(push.SidecarScope(proxy).OutboundPolicy(push.Mesh), AttemptCount(proxy, push)));
            return config;
        }

        var own = hosts.Where(h => h.Domains.Any(d => d == name || string.Equals(d, onlyHost, StringComparison.OrdinalIgnoreCase))).ToList();
        if (own.Count == 1)
        {
            own[0].Domains.Clear();
            own[0].Domains.Add("*");
        }

        config.VirtualHosts.AddRange(own);
        return config;
    }

    private static RouteConfiguration? Proxyless(ProxyNode proxy, PushContext push, string name, string host, int port)
    {
        var context = new RouteContext(proxy, push, port);
        var hosts = VirtualHosts(context, port, host);
        return hosts.Count == 0 ? null : new RouteConfiguration { Name = name, VirtualHosts = { hosts } };
    }

    /// <summary>
    /// The virtual hosts of a port, sorted by name, each domain used once (the first virtual host keeps it). Services and
    /// VirtualServices are those of <paramref name="egress"/> (default: the egress listener owning the port).
    /// </summary>
    internal static IReadOnlyList<VirtualHost> VirtualHosts(RouteContext context, int port, string? onlyHost, EgressListenerScope? egress = null)
    {
        var proxy = context.Proxy;
        var push = context.Push;
        egress ??= EgressListeners.ForRoute(proxy, push, port, port.ToString(CultureInfo.InvariantCulture));
        if (egress is null)
        {
            return [];
        }

        var services = egress.Services.Where(s => s.Port(port) is { } p && (p.Protocol.IsHttp() || p.Protocol == Protocol.Unsupported)).ToList();
        var byHost = new Dictionary<string, MeshService>(StringComparer.OrdinalIgnoreCase);
        foreach (var service in services)
        {
            byHost.TryAdd(service.Hostname, service);
        }

        // A host without a wildcard matches only the service of that very name: a lookup, not a scan of every service.
        IEnumerable<MeshService> Matching(string host) =>
            host.StartsWith('*') ? services.Where(s => Model.Hosts.Matches(host, s.Hostname))
            : byHost.TryGetValue(host, out var exact) ? [exact]
            : [];

        var attemptCount = AttemptCount(proxy, push);
        var claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var hosts = new List<VirtualHost>();
        foreach (var vs in egress.VirtualServices)
        {
            if (port != 80 && !vs.Hosts.Any(h => Matching(h).Any()))
            {
                continue;
            }

            foreach (var host in vs.Hosts)
            {
                if (onlyHost is not null && !Model.Hosts.Matches(host, onlyHost))
                {
                    continue;
                }

                if (!claimed.Add(host))
                {
                    continue;
                }

                var routes = HttpRouteBuilder.Build(context, vs);
                if (routes.Count == 0)
                {
                    continue;
                }

                foreach (var service in Matching(host))
                {
                    claimed.Add(service.Hostname);
                }

                var service1 = push.Service(host, proxy.Namespace);
                var vhost = new VirtualHost
                {
                    Name = $"{host}:{port}",
                    Domains = { VirtualHostDomains.For(host, service1, port, proxy) },
                    IncludeRequestAttemptCount = attemptCount,
                };
                vhost.Routes.AddRange(routes);
                hosts.Add(vhost);
            }
        }

        foreach (var service in services)
        {
            if ((onlyHost is not null && !string.Equals(service.Hostname, onlyHost, StringComparison.OrdinalIgnoreCase)) || !claimed.Add(service.Hostname))
            {
                continue;
            }

            var servicePort = service.Port(port)!;
            hosts.Add(new VirtualHost
            {
                Name = $"{service.Hostname}:{port}",
                Domains = { VirtualHostDomains.For(service.Hostname, service, port, proxy) },
                Routes = { HttpRouteBuilder.DefaultRoute(context, service, servicePort) },
                IncludeRequestAttemptCount = attemptCount,
            });
        }

        hosts.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var vhost in hosts)
        {
            var unique = vhost.Domains.Where(used.Add).ToList();
            vhost.Domains.Clear();
            vhost.Domains.AddRange(unique);
        }

        return hosts.Where(h => h.Domains.Count > 0).ToList();
    }

    /// <summary>
    /// Whether the proxy's virtual hosts add <c>X-Envoy-Attempt-Count</c> upstream: yes unless its proxyHeaders say
    /// <c>attemptCount.disabled</c>. Istio builds proxyless gRPC clients' virtual hosts the same way.
    /// </summary>
    internal static bool AttemptCount(ProxyNode proxy, PushContext push) => !ProxyHeaderSettings.For(proxy, push.Mesh).AttemptCountDisabled;

    /// <summary>
    /// The last virtual host: ALLOW_ANY passes unknown hosts through (to the Sidecar's egress proxy when it names one),
    /// REGISTRY_ONLY answers 502.
    /// </summary>
    internal static VirtualHost CatchAll(OutboundPolicy policy, bool attemptCount)
    {
        if (policy.AllowAny)
        {
            return new VirtualHost
            {
                Name = ResourceNames.AllowAny,
                Domains = { "*" },
                IncludeRequestAttemptCount = attemptCount,
                Routes =
                {
                    new Route
                    {
                        Name = ResourceNames.AllowAny,
                        Match = new RouteMatch { Prefix = "/" },
                        Route_ = new RouteAction
                        {
                            Cluster = policy.CatchAllCluster,
                            Timeout = Envoy.Duration(TimeSpan.Zero),
                            MaxGrpcTimeout = Envoy.Duration(TimeSpan.Zero),
                        },
                    },
                },
            };
        }

        return new VirtualHost
        {
            Name = ResourceNames.BlockAll,
            Domains = { "*" },
            IncludeRequestAttemptCount = attemptCount,
            Routes =
            {
                new Route
                {
                    Name = ResourceNames.BlockAll,
                    Match = new RouteMatch { Prefix = "/" },
                    DirectResponse = new DirectResponseAction { Status = 502 },
                },
            },
        };
    }

    private sealed class Missing
    {
        public static readonly Missing Instance = new();
    }
}
