using System.Diagnostics;
using Google.Protobuf;
using Weft.Control.Config;
using Weft.Control.Generators;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Control.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Service.Discovery.V3;

namespace Weft.Bench.Scale;

/// <summary>
/// Where a push's time goes, without a network: the control plane's own stages run in this process on one thread, each
/// timed by the thread's CPU time (<see cref="ThreadCpu"/>), so a loaded machine shows the work, not the wait. Loading (scan, validate, registry, push context), then for every client the four
/// generators as the xDS server calls them, the serialization of the four responses, and a replica of the server's
/// per-response "what changed" check. The generation and serialization total is the full push's baseline: the same
/// resources for the same proxies, minus gRPC, streams and scheduling.
/// </summary>
internal sealed record GenerationProfile
{
    public required StageTimes Load { get; init; }

    public required StageTimes Reload { get; init; }

    public required double CdsMs { get; init; }

    public required double EdsMs { get; init; }

    public required double LdsMs { get; init; }

    public required double RdsMs { get; init; }

    public required double SerializeMs { get; init; }

    /// <summary>The server's SotW diff (changed and removed resources) for four unchanged responses per client.</summary>
    public required double DiffMs { get; init; }

    /// <summary>
    /// Lookups the generators repeat for every proxy, timed apart (not in the baseline): the services a proxy sees, the
    /// DestinationRule of each, and the VirtualServices bound to sidecars in its namespace.
    /// </summary>
    public required (double ServicesFor, double DestinationRules, double VirtualServicesFor) LookupsMs { get; init; }

    /// <summary>RDS timed apart (not in the baseline): building the route configuration, then packing and hashing it.</summary>
    public required (double Build, double PackAndHash) RoutesMs { get; init; }

    /// <summary>Serialized bytes per client per type (CDS, EDS, LDS, RDS).</summary>
    public required (long Cds, long Eds, long Lds, long Rds) BytesPerClient { get; init; }

    /// <summary>Resources per client per type.</summary>
    public required (int Cds, int Eds, int Lds, int Rds) ResourcesPerClient { get; init; }

    public int Clients { get; init; }

    /// <summary>Wall time of the measured generation round, for comparison with its CPU time.</summary>
    public double WallMs { get; init; }

    /// <summary>Whether stage times are thread CPU time (else wall time).</summary>
    public bool CpuTime { get; init; } = ThreadCpu.Available;

    /// <summary>Generation and serialization of all four types for every client: the full push's baseline.</summary>
    public double BaselineMs => CdsMs + EdsMs + LdsMs + RdsMs + SerializeMs;

    /// <summary>Loads <paramref name="config"/>'s directory, then generates twice for every client (the second, warm, round counts).</summary>
    public static GenerationProfile Measure(ScaleConfig config, int clients)
    {
        var source = new DirectorySource(config.Directory);
        var store = new ConfigStore();
        var (load, push) = LoadStages(source, store, previous: null);

        // Round one pays for JIT; round two starts from a new push context, as a real push does. The first context's
        // cache (every proxy's routes) is let go before the second fills its own.
        var names = new NameSet.Table();
        Generate(config, clients, push, names);
        var (reload, fresh) = LoadStages(source, store, previous: push, change: () => config.ChangeWeights(0));
        push = null!;
        GC.Collect();
        return Generate(config, clients, fresh, names) with { Load = load, Reload = reload };
    }

    /// <summary>Turns the directory into a push context as the control plane's reload does (the registry kept when only routing changed).</summary>
    private static (StageTimes Times, PushContext Push) LoadStages(DirectorySource source, ConfigStore store, PushContext? previous, Action? change = null)
    {
        change?.Invoke();
        var watch = new Section();
        var changes = source.Scan();
        var scan = Lap(watch);
        var changed = store.Apply(changes);
        var apply = Lap(watch);
        var kinds = changed.Select(k => k.Kind).ToHashSet(StringComparer.Ordinal);
        var registry = previous?.Registry is LocalRegistry kept && !kinds.Any(LocalRegistry.IsMadeOf) ? kept : LocalRegistry.Build(store.Current);
        var build = Lap(watch);
        var version = previous is null ? 1 : 2;
        var push = new PushContext(store.Current, registry, MeshConfig.Default, version, $"bench/{version}", previous, kinds);
        var context = Lap(watch);
        return (new StageTimes(changes.Count, scan, apply, build, context), push);
    }

    /// <summary>Clients whose lookups and route builds are also timed apart (uncached, so a sample is enough).</summary>
    public const int Sampled = 20;

    private static GenerationProfile Generate(ScaleConfig config, int clients, PushContext push, NameSet.Table names)
    {
        var generators = GeneratorSet.Default;
        double cds = 0, eds = 0, lds = 0, rds = 0, serialize = 0, diff = 0;
        double servicesFor = 0, destinationRules = 0, virtualServices = 0, routeBuild = 0, routePack = 0;
        long cdsBytes = 0, edsBytes = 0, ldsBytes = 0, rdsBytes = 0;
        int cdsCount = 0, edsCount = 0, ldsCount = 0, rdsCount = 0;
        var watch = new Section();
        var wall = Stopwatch.StartNew();
        for (var c = 0; c < clients; c++)
        {
            var proxy = ProxyNode.Parse(EnvoyFleet.Sidecar(config, c), push.Registry, out var error)
                ?? throw new InvalidOperationException($"client {c}: {error}");
            watch.Restart();
            var clusters = generators.For(TypeUrls.Cluster)!.GenerateSet(proxy, push, null);
            cds += Lap(watch);
            var edsNames = names.Intern(clusters.Resources.Select(r => (Cluster)r.Message).Where(x => x.Type == Cluster.Types.DiscoveryType.Eds)
                .Select(x => x.EdsClusterConfig?.ServiceName is { Length: > 0 } n ? n : x.Name));
            watch.Restart();
            var endpoints = generators.For(TypeUrls.ClusterLoadAssignment)!.GenerateSet(proxy, push, edsNames);
            eds += Lap(watch);
            var listeners = generators.For(TypeUrls.Listener)!.GenerateSet(proxy, push, null);
            lds += Lap(watch);
            var routeNames = names.Intern(listeners.Resources.SelectMany(l => ProxyResources.RouteNames((Listener)l.Message)));
            watch.Restart();
            var routes = generators.For(TypeUrls.RouteConfiguration)!.GenerateSet(proxy, push, routeNames);
            rds += Lap(watch);
            cdsBytes += Serialize(TypeUrls.Cluster, clusters.Resources);
            edsBytes += Serialize(TypeUrls.ClusterLoadAssignment, endpoints.Resources);
            ldsBytes += Serialize(TypeUrls.Listener, listeners.Resources);
            rdsBytes += Serialize(TypeUrls.RouteConfiguration, routes.Resources);
            serialize += Lap(watch);
            var held = new[] { clusters.Version, endpoints.Version, listeners.Version, routes.Version };
            watch.Restart();
            // The server's check for a proxy that holds these sets already: one version comparison per type.
            _ = held[0] == clusters.Version && held[1] == endpoints.Version && held[2] == listeners.Version && held[3] == routes.Version;
            diff += Lap(watch);
            (cdsCount, edsCount, ldsCount, rdsCount) = (clusters.Count, endpoints.Count, listeners.Count, routes.Count);
            if (c >= Sampled)
            {
                continue;
            }

            var visible = push.ServicesFor(proxy);
            servicesFor += Lap(watch);
            foreach (var service in visible)
            {
                _ = push.DestinationRule(proxy, service.Hostname, service);
            }

            destinationRules += Lap(watch);
            _ = push.VirtualServices.For(VirtualServiceIndex.Mesh, proxy.Namespace, push.Mesh);
            virtualServices += Lap(watch);
            foreach (var name in routeNames)
            {
                var built = Weft.Control.Generators.Routes.RouteGenerator.Build(proxy, push, name);
                routeBuild += Lap(watch);
                if (built is not null)
                {
                    _ = new XdsResource(name, built);
                }

                routePack += Lap(watch);
            }
        }

        var n = Math.Max(1, clients);
        return new GenerationProfile
        {
            Load = StageTimes.None,
            Reload = StageTimes.None,
            CdsMs = cds,
            EdsMs = eds,
            LdsMs = lds,
            RdsMs = rds,
            SerializeMs = serialize,
            DiffMs = diff,
            LookupsMs = (servicesFor, destinationRules, virtualServices),
            RoutesMs = (routeBuild, routePack),
            BytesPerClient = (cdsBytes / n, edsBytes / n, ldsBytes / n, rdsBytes / n),
            ResourcesPerClient = (cdsCount, edsCount, ldsCount, rdsCount),
            Clients = clients,
            WallMs = wall.Elapsed.TotalMilliseconds,
        };
    }

    /// <summary>Builds and serializes a response the way the server does (its size is taken for metrics, then it is written).</summary>
    private static long Serialize(string typeUrl, IReadOnlyList<XdsResource> resources)
    {
        var response = new DiscoveryResponse { TypeUrl = typeUrl, VersionInfo = "bench/2", Nonce = "1-00000000" };
        foreach (var resource in resources)
        {
            response.Resources.Add(resource.Any);
        }

        _ = response.CalculateSize();
        return response.ToByteArray().Length;
    }

    private static double Lap(Section watch)
    {
        var ms = watch.ElapsedMs;
        watch.Restart();
        return ms;
    }

    /// <summary>A stopwatch on the thread's CPU clock.</summary>
    private sealed class Section
    {
        private double _start = ThreadCpu.NowMs();

        public double ElapsedMs => ThreadCpu.NowMs() - _start;

        public void Restart() => _start = ThreadCpu.NowMs();
    }

    /// <summary>The stages of turning files into a push context, in milliseconds.</summary>
    internal sealed record StageTimes(int Files, double ScanMs, double ApplyMs, double RegistryMs, double PushContextMs)
    {
        public static StageTimes None { get; } = new(0, 0, 0, 0, 0);

        public double TotalMs => ScanMs + ApplyMs + RegistryMs + PushContextMs;
    }
}
