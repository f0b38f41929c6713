using Google.Protobuf;
using Weft.Control.Config;
using Weft.Control.Generators.Clusters;
using Weft.Control.Generators.Listeners;
using Weft.Control.Generators.Routes;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;

namespace Weft.Control.Tests.Support;

/// <summary>
/// Builds a push context from YAML, proxies from a few facts, and runs the LDS/RDS/CDS generators; plus readers that
/// pull out what a test asserts on (which cluster or route a chain reaches).
/// </summary>
internal static class ListenerTestSupport
{
    public static PushContext NewPush(string yaml, MeshConfig? mesh = null)
    {
        var store = new ConfigStore();
        store.Apply([new("t.yaml", yaml)]);
        var snap = store.Current;
        var errors = snap.Rejections.SelectMany(r => r.Errors).Where(d => d.Severity == Weft.Api.Validation.Severity.Error).Select(d => d.ToString()).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors));
        return new PushContext(snap, LocalRegistry.Build(snap), mesh ?? MeshConfig.Default, 1, "1");
    }

    public static ProxyNode Sidecar(string ns = "default", string ip = "10.0.0.1", string name = "app", IReadOnlyDictionary<string, string>? labels = null,
        string interception = "REDIRECT", PushContext? push = null) => Node(ProxyType.Sidecar, ns, ip, name, labels, interception, push);

    public static ProxyNode Router(string ns = "istio-system", string ip = "10.0.0.9", string name = "ingress", IReadOnlyDictionary<string, string>? labels = null,
        PushContext? push = null) => Node(ProxyType.Router, ns, ip, name, labels ?? new Dictionary<string, string> { ["istio"] = "ingressgateway" }, "REDIRECT", push);

    private static ProxyNode Node(ProxyType type, string ns, string ip, string name, IReadOnlyDictionary<string, string>? labels, string interception, PushContext? push)
    {
        var workload = push?.Registry.FindWorkload(name, ns);
        return new ProxyNode
        {
            Id = $"{(type == ProxyType.Router ? "router" : "sidecar")}~{ip}~{name}.{ns}~{ns}.svc.cluster.local",
            Type = type,
            IpAddresses = [ip],
            WorkloadName = name,
            Namespace = ns,
            DnsDomain = $"{ns}.svc.cluster.local",
            Labels = labels ?? workload?.Labels ?? new Dictionary<string, string>(),
            InterceptionMode = interception,
            Workload = workload,
        };
    }

    public static IReadOnlyList<Listener> ListenersOf(ProxyNode proxy, PushContext push) =>
        new ListenerGenerator().Generate(proxy, push, null).Select(r => (Listener)r.Message).ToArray();

    public static Listener ListenerOf(ProxyNode proxy, PushContext push, string name)
    {
        var all = ListenersOf(proxy, push);
        return all.SingleOrDefault(l => l.Name == name)
            ?? throw new Xunit.Sdk.XunitException($"no listener {name}; have {string.Join(", ", all.Select(l => l.Name))}");
    }

    public static RouteConfiguration? RouteOf(ProxyNode proxy, PushContext push, string name) =>
        new RouteGenerator().Generate(proxy, push, new HashSet<string> { name }).Select(r => (RouteConfiguration)r.Message).SingleOrDefault();

    public static IReadOnlyList<Cluster> ClustersOf(ProxyNode proxy, PushContext push) =>
        new ClusterGenerator().Generate(proxy, push, null).Select(r => (Cluster)r.Message).ToArray();

    public static HttpConnectionManager? Hcm(FilterChain chain) =>
        chain.Filters.Where(f => f.Name == ConnectionManagers.Name).Select(f => f.TypedConfig.Unpack<HttpConnectionManager>()).SingleOrDefault();

    public static TcpProxy? Tcp(FilterChain chain) =>
        chain.Filters.Where(f => f.Name == TcpProxies.Name).Select(f => f.TypedConfig.Unpack<TcpProxy>()).SingleOrDefault();

    /// <summary>Where a chain sends traffic: the tcp_proxy cluster(s), or <c>rds:NAME</c>, or <c>inline:NAME</c>.</summary>
    public static string Target(FilterChain chain)
    {
        if (Hcm(chain) is { } hcm)
        {
            return hcm.Rds is { } rds ? "rds:" + rds.RouteConfigName : "inline:" + hcm.RouteConfig.Name;
        }

        var tcp = Tcp(chain) ?? throw new Xunit.Sdk.XunitException($"chain {chain.Name} has neither tcp_proxy nor HCM");
        return tcp.WeightedClusters is { } weighted
            ? string.Join(",", weighted.Clusters.Select(c => $"{c.Name}={c.Weight}"))
            : tcp.Cluster;
    }

    /// <summary>
    /// The chain named <paramref name="name"/>; where inbound chains of one port share the name (PeerAuthentication
    /// PERMISSIVE gives a port mTLS and plaintext chains), the one that takes plaintext connections.
    /// </summary>
    public static FilterChain Chain(Listener listener, string name)
    {
        var named = listener.FilterChains.Where(c => c.Name == name).ToArray();
        if (named.Length > 1)
        {
            named = named.Where(c => c.FilterChainMatch?.TransportProtocol != "tls").ToArray();
        }

        return named.Length == 1 ? named[0]
            : throw new Xunit.Sdk.XunitException($"{named.Length} plaintext chains {name} in {listener.Name}; have {string.Join(", ", listener.FilterChains.Select(c => c.Name))}");
    }

    /// <summary>The message as JSON, with every Envoy type this repository defines resolvable inside <c>Any</c> fields.</summary>
    public static string Json(IMessage message) => Formatter.Format(message);

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithTypeRegistry(Google.Protobuf.Reflection.TypeRegistry.FromMessages(
        typeof(Listener).Assembly.GetTypes()
            .Where(t => typeof(IMessage).IsAssignableFrom(t) && !t.IsAbstract)
            .Select(t => t.GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)?.GetValue(null))
            .OfType<Google.Protobuf.Reflection.MessageDescriptor>())));
}
