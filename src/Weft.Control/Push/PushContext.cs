using System.Collections.Concurrent;
using System.Collections.Frozen;
using Weft.Api.Model.Networking;
using Weft.Control.Config;
using Weft.Control.Model;
using Weft.Control.Registry;

namespace Weft.Control.Push;

/// <summary>
/// One immutable, indexed view of everything a push needs: mesh settings, the registry and the Istio resources in force.
/// Generators are pure functions of (proxy, push context); nothing here changes after construction, so any number of
/// pushes can read it at once.
/// </summary>
public sealed class PushContext
{
    private readonly FrozenDictionary<string, IReadOnlyList<MeshService>> _servicesByHost;
    private readonly IReadOnlyList<DestinationRuleView> _destinationRules;
    private readonly IReadOnlyList<StoredResource> _sidecars;
    private readonly FrozenDictionary<string, IReadOnlyList<DestinationRuleView>> _rulesByHost;
    private readonly IReadOnlyList<DestinationRuleView> _wildcardRules;
    private readonly bool _anyRuleSelects;

    public PushContext(ConfigSnapshot config, IServiceRegistry registry, MeshConfig mesh, long version, string versionInfo,
        PushContext? previous = null, IReadOnlySet<string>? changedKinds = null)
    {
        Config = config;
        Registry = registry;
        Mesh = mesh;
        Version = version;
        VersionInfo = versionInfo;
        _servicesByHost = registry.Services.GroupBy(s => s.Hostname, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => (IReadOnlyList<MeshService>)g.ToArray(), StringComparer.OrdinalIgnoreCase);
        VirtualServices = VirtualServiceIndex.Build(config, mesh);
        _destinationRules = config.OfKind("DestinationRule")
            .Select(r => new DestinationRuleView(r.Key, r.Spec<DestinationRuleSpec>(), Hosts.Resolve(r.Spec<DestinationRuleSpec>().Host ?? string.Empty, r.Key.Namespace)))
            .ToArray();
        _rulesByHost = _destinationRules.Where(r => !r.Host.StartsWith('*'))
            .GroupBy(r => r.Host, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => (IReadOnlyList<DestinationRuleView>)g.ToArray(), StringComparer.OrdinalIgnoreCase);
        _wildcardRules = _destinationRules.Where(r => r.Host.StartsWith('*')).ToArray();
        _anyRuleSelects = _destinationRules.Any(r => r.Spec.WorkloadSelector?.MatchLabels is { Count: > 0 });
        _sidecars = config.OfKind("Sidecar");
        Gateways = config.OfKind("Gateway");
        AuthorizationPolicies = AuthorizationPolicyIndex.Build(config, mesh.RootNamespace);
        PeerAuthentications = PeerAuthenticationIndex.Build(config);
        RequestAuthentications = RequestAuthenticationIndex.Build(config, mesh.RootNamespace);
        Telemetries = TelemetryIndex.Build(config, mesh.RootNamespace);
        LabelsMatter = Telemetries.AnySelects || ProxyClasses.LabelsMatter(config, mesh);
        AnyHeadless = registry.Services.Any(s => s.Resolution == Resolution.Passthrough && s.Addresses.Count == 0);
        if (previous is not null && changedKinds is not null && ReferenceEquals(previous.Registry, registry) && ReferenceEquals(previous.Mesh, mesh)
            && !changedKinds.Any(ProxyClasses.AffectsClustersAndEndpoints))
        {
            // Nothing that clusters and endpoints are made of changed: proxies keep the very sets they hold.
            foreach (var (key, value) in previous._shared)
            {
                if (key.Type is Weft.Xds.TypeUrls.Cluster or Weft.Xds.TypeUrls.ClusterLoadAssignment)
                {
                    _shared.TryAdd(key, value);
                }
            }
        }
    }

    /// <summary>Whether outbound configuration depends on proxy labels (see <see cref="ProxyClasses"/>).</summary>
    public bool LabelsMatter { get; }

    /// <summary>Whether any service is headless (resolution NONE, no address): its endpoints get outbound listeners of their own.</summary>
    public bool AnyHeadless { get; }

    /// <summary>The proxy's class in this push: proxies of one class get the same outbound configuration.</summary>
    public string ClassOf(ProxyNode proxy) => _classes.GetValue(proxy, p => ProxyClasses.Of(p, this));

    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ProxyNode, string> _classes = new();

    /// <summary>
    /// Resources of one type shared by a class of proxies (and a subscription, when the type is named), built once per push;
    /// sets of types a change could not affect are carried over from the previous push.
    /// </summary>
    public Generators.ResourceSet Shared(string typeUrl, string proxyClass, object? names, Func<Generators.ResourceSet> build) =>
        _shared.GetOrAdd(new SharedKey(typeUrl, proxyClass, names), _ => new Lazy<Generators.ResourceSet>(build)).Value;

    private readonly ConcurrentDictionary<SharedKey, Lazy<Generators.ResourceSet>> _shared = new();

    private readonly record struct SharedKey(string Type, string Class, object? Names);

    public static PushContext Empty { get; } = new(ConfigSnapshot.Empty, LocalRegistry.Empty, MeshConfig.Default, 0, "0");

    public ConfigSnapshot Config { get; }

    public IServiceRegistry Registry { get; }

    public MeshConfig Mesh { get; }

    /// <summary>A counter that grows with every push context.</summary>
    public long Version { get; }

    /// <summary>The <c>version_info</c> sent with resources of this push.</summary>
    public string VersionInfo { get; }

    public VirtualServiceIndex VirtualServices { get; }

    public IReadOnlyList<StoredResource> Gateways { get; }

    /// <summary>The AuthorizationPolicies in force, by namespace, and which apply to a workload.</summary>
    internal AuthorizationPolicyIndex AuthorizationPolicies { get; }

    /// <summary>The PeerAuthentications in force, by namespace.</summary>
    internal PeerAuthenticationIndex PeerAuthentications { get; }

    /// <summary>The RequestAuthentications in force, by namespace, and which apply to a workload.</summary>
    internal RequestAuthenticationIndex RequestAuthentications { get; }

    /// <summary>The Telemetry resources in force (access logging).</summary>
    internal TelemetryIndex Telemetries { get; }

    /// <summary>Where JWKS named by <c>jwksUri</c> (or an issuer's discovery document) are fetched and cached, as istiod does.</summary>
    public Generators.Authentication.JwksResolver Jwks { get; init; } = Generators.Authentication.JwksResolver.Offline;

    /// <summary>Services with this exact host, one per declaring namespace.</summary>
    public IReadOnlyList<MeshService> ServicesByHost(string host) => _servicesByHost.TryGetValue(host, out var list) ? list : [];

    /// <summary>The service with this host visible in <paramref name="ns"/>; the one declared in <paramref name="ns"/> wins.</summary>
    public MeshService? Service(string host, string ns)
    {
        MeshService? found = null;
        foreach (var service in ServicesByHost(host))
        {
            if (!IsVisible(service, ns))
            {
                continue;
            }

            if (service.Namespace == ns)
            {
                return service;
            }

            found ??= service;
        }

        return found;
    }

    public bool IsVisible(MeshService service, string ns) => Hosts.Visible(service.ExportTo, service.Namespace, ns, Mesh.DefaultExportTo);

    /// <summary>The services a proxy sees: exported to its namespace and in its Sidecar's egress scope, one per host.</summary>
    public IReadOnlyList<MeshService> ServicesFor(ProxyNode proxy)
    {
        var scope = SidecarScope(proxy);
        return Cached(("services-for", proxy.Namespace, scope.Sidecar?.Key), () =>
        {
            var result = new List<MeshService>();
            foreach (var host in _servicesByHost.Keys)
            {
                var chosen = Service(host, proxy.Namespace);
                if (chosen is not null && scope.Includes(chosen.Hostname, chosen.Namespace))
                {
                    result.Add(chosen);
                }
            }

            result.Sort((a, b) => string.CompareOrdinal(a.Hostname, b.Hostname));
            return (IReadOnlyList<MeshService>)result.ToArray();
        });
    }

    /// <summary>
    /// The DestinationRule for a host as seen from a proxy, chosen as Istio does: rules visible in the proxy's namespace,
    /// preferring one in the proxy's namespace, then the service's, then the root namespace; the most specific host wins.
    /// </summary>
    public DestinationRuleView? DestinationRule(ProxyNode proxy, string host, MeshService? service = null)
    {
        var labels = _anyRuleSelects ? LabelKey(proxy.Labels) : string.Empty;
        var found = Cached(("destination-rule", proxy.Namespace, labels, host, service?.Namespace), () =>
            (object?)FindDestinationRule(proxy, host, service) ?? NoRule);
        return found as DestinationRuleView;
    }

    private static readonly object NoRule = new();

    private DestinationRuleView? FindDestinationRule(ProxyNode proxy, string host, MeshService? service)
    {
        DestinationRuleView? best = null;
        var bestRank = int.MaxValue;
        var bestSpecificity = -1;
        var candidates = _rulesByHost.TryGetValue(host, out var exact) ? exact.Concat(_wildcardRules) : _wildcardRules;
        foreach (var rule in candidates)
        {
            if (!Hosts.Matches(rule.Host, host)
                || !Hosts.Visible(rule.Spec.ExportTo ?? [], rule.Key.Namespace, proxy.Namespace, Mesh.DefaultExportTo)
                || (rule.Spec.WorkloadSelector?.MatchLabels is { Count: > 0 } selector && (rule.Key.Namespace != proxy.Namespace || !selector.All(kv => proxy.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value))))
            {
                continue;
            }

            var rank = rule.Key.Namespace == proxy.Namespace ? 0
                : service is not null && rule.Key.Namespace == service.Namespace ? 1
                : rule.Key.Namespace == Mesh.RootNamespace ? 2
                : 3;
            var specificity = Hosts.Specificity(rule.Host);
            if (rank < bestRank || (rank == bestRank && specificity > bestSpecificity))
            {
                best = rule;
                bestRank = rank;
                bestSpecificity = specificity;
            }
        }

        return best;
    }

    private static string LabelKey(IReadOnlyDictionary<string, string> labels) =>
        string.Join(',', labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value));

    /// <summary>The Sidecar that applies to a proxy: one selecting its labels in its namespace, its namespace's default, the root's.</summary>
    public SidecarScope SidecarScope(ProxyNode proxy)
    {
        StoredResource? namespaceDefault = null;
        StoredResource? rootDefault = null;
        foreach (var sidecar in _sidecars)
        {
            var spec = sidecar.Spec<SidecarSpec>();
            var selector = spec.WorkloadSelector?.Labels;
            if (sidecar.Key.Namespace == proxy.Namespace)
            {
                if (selector is { Count: > 0 })
                {
                    if (selector.All(kv => proxy.Labels.TryGetValue(kv.Key, out var v) && v == kv.Value))
                    {
                        return new SidecarScope(sidecar, proxy.Namespace);
                    }
                }
                else
                {
                    namespaceDefault ??= sidecar;
                }
            }
            else if (sidecar.Key.Namespace == Mesh.RootNamespace && selector is not { Count: > 0 })
            {
                rootDefault ??= sidecar;
            }
        }

        return new SidecarScope(namespaceDefault ?? rootDefault, proxy.Namespace);
    }

    /// <summary>
    /// Memoises work shared between proxies within this push (a cluster, a load assignment, a route configuration for one
    /// class of proxy). Keys must capture every input of the value; the cache dies with the push context.
    /// </summary>
    public T Cached<T>(object key, Func<T> build)
        where T : class => (T)_cache.GetOrAdd(key, _ => new Lazy<object>(build)).Value;

    // Lazy: when many proxies of a class ask at once, one builds and the others wait for it instead of building too.
    private readonly ConcurrentDictionary<object, Lazy<object>> _cache = new();

    /// <summary>The endpoints of a service port.</summary>
    public IReadOnlyList<ServiceEndpoint> Endpoints(MeshService service, int port) => Registry.Endpoints(service, port);
}
