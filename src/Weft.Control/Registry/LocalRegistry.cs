using System.Collections.Frozen;
using Weft.Api.Model.Networking;
using Weft.Control.Config;
using K8s = Weft.Api.Model.Kubernetes;

namespace Weft.Control.Registry;

/// <summary>
/// The registry of local mode, built from a configuration snapshot: services from ServiceEntries (one per host) and from
/// Kubernetes Service documents (<c>NAME.NAMESPACE.svc.cluster.local</c>), workloads from WorkloadEntries and inline
/// ServiceEntry endpoints. A ServiceEntry's <c>workloadSelector</c> and a Service's <c>selector</c> pick WorkloadEntries of
/// their namespace by label, as Istio does for workloads outside Kubernetes.
/// </summary>
public sealed class LocalRegistry : IServiceRegistry
{
    public const string ClusterDomain = "cluster.local";

    private readonly FrozenDictionary<(string Host, string Ns, int Port), IReadOnlyList<ServiceEndpoint>> _endpoints;
    private readonly FrozenDictionary<(string Name, string Ns), Workload> _workloadEntries;

    private LocalRegistry(IReadOnlyList<MeshService> services, IReadOnlyList<Workload> workloads,
        Dictionary<(string, string, int), IReadOnlyList<ServiceEndpoint>> endpoints)
    {
        Services = services;
        Workloads = workloads;
        _endpoints = endpoints.ToFrozenDictionary();
        _workloadEntries = workloads.Where(w => w.Name.Length > 0)
            .GroupBy(w => (w.Name, w.Namespace))
            .ToFrozenDictionary(g => g.Key, g => g.First());
    }

    public static LocalRegistry Empty { get; } = Build(ConfigSnapshot.Empty);

    public IReadOnlyList<MeshService> Services { get; }

    public IReadOnlyList<Workload> Workloads { get; }

    public IReadOnlyList<ServiceEndpoint> Endpoints(MeshService service, int port) =>
        _endpoints.TryGetValue((service.Hostname, service.Namespace, port), out var list) ? list : [];

    public Workload? FindWorkload(string name, string ns) => _workloadEntries.GetValueOrDefault((name, ns));

    /// <summary>Whether the registry is built from resources of this kind.</summary>
    public static bool IsMadeOf(string kind) => kind is "ServiceEntry" or "WorkloadEntry" or "Service";

    public static LocalRegistry Build(ConfigSnapshot config)
    {
        var entries = config.OfKind("WorkloadEntry").Select(ToWorkload).ToList();
        var selectable = new SelectableWorkloads(entries);
        var services = new List<MeshService>();
        var workloads = new List<Workload>(entries);
        var endpoints = new Dictionary<(string, string, int), IReadOnlyList<ServiceEndpoint>>();

        foreach (var stored in config.OfKind("ServiceEntry"))
        {
            var spec = stored.Spec<ServiceEntrySpec>();
            var ns = stored.Key.Namespace;
            var ports = (spec.Ports ?? []).Select(p => new ServicePort(p.Name ?? string.Empty, (int)(p.Number ?? 0), Protocols.Parse(p.Protocol, p.Name), (int)(p.TargetPort ?? 0))).ToArray();
            var resolution = ParseResolution(spec.Resolution);
            var inline = (spec.Endpoints ?? []).Select(e => ToWorkload(e, ns, stored.Key)).ToList();
            workloads.AddRange(inline);
            var selected = spec.WorkloadSelector?.Labels is { } selector
                ? selectable.Select(ns, selector)
                : inline;
            foreach (var host in spec.Hosts ?? [])
            {
                var service = new MeshService
                {
                    Hostname = host,
                    Namespace = ns,
                    Addresses = spec.Addresses ?? [],
                    Ports = ports,
                    Resolution = resolution,
                    MeshExternal = !string.Equals(spec.Location, "MESH_INTERNAL", StringComparison.Ordinal),
                    ExportTo = spec.ExportTo ?? [],
                    SubjectAltNames = spec.SubjectAltNames ?? [],
                    Origin = stored.Key,
                };
                services.Add(service);
                var serving = selected.Count == 0 && resolution is Resolution.Dns or Resolution.DnsRoundRobin && !service.IsWildcard
                    ? [new Workload { Address = host, Namespace = ns, Origin = stored.Key, Labels = new Dictionary<string, string> { ["security.istio.io/tlsMode"] = "disabled" } }]
                    : selected;
                AddEndpoints(endpoints, service, serving);
            }
        }

        foreach (var stored in config.OfKind("Service"))
        {
            if (stored.Resource.Spec is not K8s.ServiceSpec spec || spec.Type == "ExternalName")
            {
                continue; // ExternalName services are aliases: no cluster of their own.
            }

            var ns = stored.Key.Namespace;
            var vip = spec.ClusterIP is { Length: > 0 } ip && ip != "None" ? [ip] : Array.Empty<string>();
            var service = new MeshService
            {
                Hostname = $"{stored.Key.Name}.{ns}.svc.{ClusterDomain}",
                Namespace = ns,
                Addresses = vip,
                Ports = spec.Ports.Select(ToServicePort).ToArray(),
                Resolution = spec.ClusterIP == "None" ? Resolution.Passthrough : Resolution.Static,
                MeshExternal = false,
                ExportTo = ExportToAnnotation(stored),
                Origin = stored.Key,
            };
            services.Add(service);
            var selected = spec.Selector is { Count: > 0 } selector
                ? selectable.Select(ns, selector)
                : [];
            AddEndpoints(endpoints, service, selected);
        }

        services.Sort((a, b) => string.CompareOrdinal(a.Hostname, b.Hostname) is var c && c != 0 ? c : string.CompareOrdinal(a.Namespace, b.Namespace));
        return new LocalRegistry(services, workloads, endpoints);
    }

    private static void AddEndpoints(Dictionary<(string, string, int), IReadOnlyList<ServiceEndpoint>> endpoints, MeshService service, IReadOnlyList<Workload> workloads)
    {
        foreach (var port in service.Ports)
        {
            endpoints[(service.Hostname, service.Namespace, port.Number)] = workloads
                .Select(w => new ServiceEndpoint(service, port, w, TargetPort(w, port)))
                .ToArray();
        }
    }

    /// <summary>Istio's priority: a unix socket has no port; then the workload's port of that name, the target port, the service port.</summary>
    private static int TargetPort(Workload workload, ServicePort port) =>
        workload.Address.StartsWith("unix://", StringComparison.Ordinal) ? 0
        : workload.Ports.TryGetValue(port.Name, out var named) ? named
        : port.TargetPort > 0 ? port.TargetPort
        : port.Number;

    private static ServicePort ToServicePort(K8s.ServicePort p)
    {
        var number = (int)(p.Port ?? 0);
        var target = int.TryParse(p.TargetPort, out var t) ? t : 0;
        return new ServicePort(p.Name ?? string.Empty, number, Protocols.Parse(p.AppProtocol, p.Name), target == number ? 0 : target);
    }

    private static IReadOnlyList<string> ExportToAnnotation(StoredResource stored) =>
        stored.Resource.Metadata.Annotations.TryGetValue("networking.istio.io/exportTo", out var value)
            ? value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : [];

    private static Resolution ParseResolution(string? value) => value switch
    {
        "STATIC" => Resolution.Static,
        "DNS" => Resolution.Dns,
        "DNS_ROUND_ROBIN" => Resolution.DnsRoundRobin,
        _ => Resolution.Passthrough,
    };

    private static Workload ToWorkload(StoredResource stored) =>
        ToWorkload(stored.Spec<WorkloadEntrySpec>(), stored.Key.Namespace, stored.Key) with { Name = stored.Key.Name };

    private static Workload ToWorkload(WorkloadEntrySpec spec, string ns, ConfigKey origin) => new()
    {
        Address = spec.Address ?? string.Empty,
        Namespace = ns,
        Labels = spec.Labels ?? new Dictionary<string, string>(),
        Ports = (spec.Ports ?? new Dictionary<string, long>()).ToDictionary(kv => kv.Key, kv => (int)kv.Value),
        Locality = spec.Locality ?? string.Empty,
        Weight = (int)(spec.Weight ?? 0),
        ServiceAccount = spec.ServiceAccount ?? string.Empty,
        Network = spec.Network ?? string.Empty,
        Origin = origin,
    };

    /// <summary>
    /// WorkloadEntries indexed by namespace and by each label, so a selector looks only at the entries carrying its first
    /// label instead of all of them (a thousand ServiceEntries over five thousand entries is otherwise five million tests).
    /// </summary>
    private sealed class SelectableWorkloads
    {
        private readonly Dictionary<string, List<Workload>> _byNamespace = new(StringComparer.Ordinal);
        private readonly Dictionary<(string Ns, string Key, string Value), List<Workload>> _byLabel = new();

        public SelectableWorkloads(IEnumerable<Workload> entries)
        {
            foreach (var entry in entries)
            {
                Add(_byNamespace, entry.Namespace, entry);
                foreach (var (key, value) in entry.Labels)
                {
                    Add(_byLabel, (entry.Namespace, key, value), entry);
                }
            }
        }

        /// <summary>The entries of <paramref name="ns"/> matching <paramref name="selector"/>, in the order they were given.</summary>
        public List<Workload> Select(string ns, IReadOnlyDictionary<string, string> selector)
        {
            if (selector.Count == 0)
            {
                return _byNamespace.TryGetValue(ns, out var all) ? [.. all] : [];
            }

            var (key, value) = selector.First();
            return _byLabel.TryGetValue((ns, key, value), out var candidates) ? candidates.Where(w => w.Matches(selector)).ToList() : [];
        }

        private static void Add<TKey>(Dictionary<TKey, List<Workload>> index, TKey key, Workload entry)
            where TKey : notnull
        {
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
            }

            list.Add(entry);
        }
    }
}
