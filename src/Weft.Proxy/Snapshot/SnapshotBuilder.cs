using System.Collections.Frozen;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Weft.Proxy.Identity;
using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Tls;
using Weft.Proxy.Upstream;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Snapshot;

/// <summary>
/// The xDS client's consumer: compiles each resource as it arrives (a failure is the NACK reason), and after every
/// response builds a new <see cref="ProxySnapshot"/> from what is accepted, provided the configuration is complete
/// (clusters and their endpoints, listeners and their routes). An incomplete one, as while a new cluster waits for its
/// endpoints, leaves the snapshot in force alone, as Envoy keeps serving while clusters and listeners warm.
/// Clusters whose resources did not change keep their load balancer; a cluster whose resource is equal to the one before
/// (endpoints aside) keeps its run-time state, as Envoy keeps a cluster whose configuration is unchanged, and the state
/// of a changed or removed cluster is retired once the new snapshot is in force.
/// SDS secrets from the control plane go to the <see cref="SecretStore"/> as soon as they are accepted, so a rotated
/// certificate reaches the next handshake without a new snapshot. A listener or cluster whose TLS waits for a secret not
/// received yet warms, as in Envoy: the version in force (if any) stays until the secret comes or its wait ends; the very
/// first snapshot waits for all of them.
/// </summary>
internal sealed partial class SnapshotBuilder(SnapshotState state, TimeProvider time, ILogger<SnapshotBuilder> log, Func<ulong>? random = null, SecretStore? secrets = null) : IXdsConsumer
{
    private readonly Func<ulong> _random = random ?? (() => (ulong)Random.Shared.NextInt64(long.MaxValue));

    private long _generation;
    private HashSet<string> _unknownClusters = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _pending = [];

    public object Compile(string typeUrl, IMessage resource) => resource switch
    {
        Cluster cluster => ClusterCompiler.Compile(cluster),
        ClusterLoadAssignment assignment => LoadAssignmentCompiler.Compile(assignment, namesAllowed: false),
        Listener listener => ListenerCompiler.Compile(listener),
        RouteConfiguration routes => RouteCompiler.Compile(routes),
        Secret secret => SdsSecretCompiler.Compile(secret, time.GetUtcNow()),
        _ => throw new XdsRejectedException($"{typeUrl} is not a type this proxy uses"),
    };

    /// <summary>Which listeners cannot take their socket (<see cref="Listeners.DynamicListeners.Unbindable"/>), once the host has listeners.</summary>
    public Func<IReadOnlyList<ListenerModel>, IReadOnlyDictionary<string, string>>? UnbindableListeners { get; set; }

    public IReadOnlyDictionary<string, string> Refuse(string typeUrl, IEnumerable<object> models) =>
        typeUrl == TypeUrls.Listener && UnbindableListeners is { } check
            ? check(models.OfType<ListenerModel>().ToList())
            : System.Collections.Immutable.ImmutableDictionary<string, string>.Empty;

    public IEnumerable<AdsSecret> SecretsNamedBy(object model) => model switch
    {
        ListenerModel listener => listener.AdsSecrets(),
        ClusterModel cluster => cluster.Connection.Transport.AdsSecrets(),
        _ => [],
    };

    public void Updated(XdsConfig config)
    {
        ApplySecrets(config.Secrets, state.Current);
        var now = time.GetUtcNow();
        var pending = config.PendingSecrets(now);
        var missing = config.Missing(pending);
        state.Observe(config, missing);
        var previous = state.Current;

        // Past the first snapshot, awaited secrets hold back only the listeners and clusters that need them.
        if (missing.Count > (pending.Count > 0 && previous is not null ? 1 : 0))
        {
            if (log.IsEnabled(LogLevel.Debug))
            {
                var waiting = string.Join("; ", missing);
                LogWaiting(log, waiting);
            }

            return;
        }

        if (previous is not null && SameResources(previous.Config, config) && pending.SequenceEqual(_pending, StringComparer.Ordinal))
        {
            return; // A refusal, an acknowledgement that changed nothing, or a secret (already in the store).
        }

        ProxySnapshot snapshot;
        try
        {
            snapshot = Build(config, previous, pending.ToHashSet(StringComparer.Ordinal));
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The resources compiled one by one; failing to put them together is a bug here, not in the configuration.
            LogBuildFailed(log, e);
            return;
        }

        _pending = pending;
        state.Publish(snapshot);
        ApplySecrets(config.Secrets, snapshot);
        Retire(previous, snapshot);
        if (log.IsEnabled(LogLevel.Information))
        {
            LogPublished(log, snapshot.Generation, snapshot.Listeners.Count, snapshot.Routes.Count, snapshot.Clusters.Count);
        }
    }

    /// <summary>
    /// Puts the secrets accepted over ADS in the store, for handshakes from now on. A secret no longer subscribed stays
    /// while the snapshot in force still uses it (a listener warming to another secret serves with the old one meanwhile).
    /// </summary>
    private void ApplySecrets(XdsTypeView received, ProxySnapshot? serving)
    {
        if (secrets is null)
        {
            return;
        }

        var held = secrets.Dynamic;
        var next = new Dictionary<string, object>(received.Resources.Count, StringComparer.Ordinal);
        foreach (var (name, resource) in received.Resources)
        {
            next[name] = resource.Model;
        }

        HashSet<string>? inUse = null;
        foreach (var (name, secret) in held)
        {
            if (!next.ContainsKey(name) && serving is not null && (inUse ??= InUse(serving)).Contains(name))
            {
                next[name] = secret;
            }
        }

        if (next.Count != held.Count || next.Any(e => !held.TryGetValue(e.Key, out var before) || !ReferenceEquals(before, e.Value)))
        {
            secrets.SetDynamic(next.ToFrozenDictionary(StringComparer.Ordinal));
        }
    }

    /// <summary>The ADS secrets the listeners and clusters of a snapshot use.</summary>
    private static HashSet<string> InUse(ProxySnapshot snapshot) =>
        snapshot.Listeners.SelectMany(l => l.AdsSecrets())
            .Concat(snapshot.Clusters.Values.SelectMany(c => c.Model.Connection.Transport.AdsSecrets()))
            .Select(s => s.Name)
            .ToHashSet(StringComparer.Ordinal);

    private static bool Waits(IEnumerable<AdsSecret> needed, HashSet<string> pending) =>
        pending.Count > 0 && needed.Any(s => pending.Contains(s.Name));

    private ProxySnapshot Build(XdsConfig config, ProxySnapshot? previous, HashSet<string> pending)
    {
        var clusters = new Dictionary<string, ClusterRuntime>(StringComparer.Ordinal);
        var warming = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, resource) in config.Clusters.Resources)
        {
            var model = (ClusterModel)resource.Model;
            if (Waits(model.Connection.Transport.AdsSecrets(), pending))
            {
                // Warming: the version in force serves until its secret comes; a new cluster is not there yet.
                warming.Add(name);
                if (previous?.Clusters.TryGetValue(name, out var serving) == true)
                {
                    clusters[name] = serving;
                }

                continue;
            }

            var endpoints = model.Kind == DiscoveryKind.Eds ? config.Endpoints.Resources.GetValueOrDefault(model.EdsServiceName) : null;
            ClusterState? kept = null;
            if (previous?.Clusters.TryGetValue(name, out var old) == true && (ReferenceEquals(old.Source, resource) || old.Source.Message.Equals(resource.Message)))
            {
                if (ReferenceEquals(old.Endpoints, endpoints))
                {
                    clusters[name] = ReferenceEquals(old.Source, resource) ? old : old with { Source = resource };
                    continue;
                }

                kept = old.State;
            }

            var runtime = kept ?? new ClusterState(model, time, _random);
            var assignment = endpoints is null ? model.Inline : (LoadAssignment)endpoints.Model;
            var levels = runtime.Bind(assignment);
            var balancer = new ClusterLoadBalancer(model, levels, assignment.OverprovisioningFactor, runtime, Random.Shared.Next());
            var hosts = levels.SelectMany(l => l).SelectMany(g => g.Endpoints).ToArray();
            clusters[name] = new ClusterRuntime(model, assignment, balancer, resource, endpoints, runtime, hosts);
        }

        var routes = config.Routes.Resources.ToFrozenDictionary(r => r.Key, r => (RouteTable)r.Value.Model, StringComparer.Ordinal);
        var listeners = config.Listeners.Resources.Values
            .Select(r => (ListenerModel)r.Model)
            .Select(l => Waits(l.AdsSecrets(), pending) ? previous?.Listeners.FirstOrDefault(p => p.Name == l.Name) : l)
            .OfType<ListenerModel>()
            .OrderBy(l => l.Name, StringComparer.Ordinal)
            .ToArray();
        WarnUnknownClusters(listeners, routes, clusters, warming);
        return new ProxySnapshot(++_generation, config, listeners, routes, clusters.ToFrozenDictionary(StringComparer.Ordinal), time.GetUtcNow());
    }

    /// <summary>Stops the run-time state (outlier detection's timer) of clusters the new snapshot no longer uses.</summary>
    private static void Retire(ProxySnapshot? previous, ProxySnapshot current)
    {
        if (previous is null)
        {
            return;
        }

        var kept = current.Clusters.Values.Select(c => c.State).ToHashSet();
        foreach (var cluster in previous.Clusters.Values)
        {
            if (!kept.Contains(cluster.State))
            {
                cluster.State.Dispose();
            }
        }
    }

    /// <summary>
    /// Routes may name clusters that do not exist (Istio turns off <c>validate_clusters</c>); requests to them get 503, as
    /// in Envoy. Each such name is logged once, so a typo in a subset shows up.
    /// </summary>
    private void WarnUnknownClusters(IEnumerable<ListenerModel> listeners, IReadOnlyDictionary<string, RouteTable> routes, Dictionary<string, ClusterRuntime> clusters, HashSet<string> warming)
    {
        var tables = routes.Values.Concat(listeners
            .SelectMany(l => l.Chains.Append(l.DefaultChain))
            .Select(c => (c?.Action as HttpChain)?.Manager.InlineRoutes)
            .OfType<RouteTable>());
        var unknown = tables.SelectMany(t => t.ClusterNames()).Where(n => !clusters.ContainsKey(n) && !warming.Contains(n)).ToHashSet(StringComparer.Ordinal);
        foreach (var name in unknown.Where(n => !_unknownClusters.Contains(n)).Order(StringComparer.Ordinal))
        {
            LogUnknownCluster(log, name);
        }

        _unknownClusters = unknown;
    }

    private static bool SameResources(XdsConfig a, XdsConfig b) =>
        Same(a.Clusters, b.Clusters) && Same(a.Endpoints, b.Endpoints) && Same(a.Listeners, b.Listeners) && Same(a.Routes, b.Routes);

    private static bool Same(XdsTypeView a, XdsTypeView b) => Same(a.Resources, b.Resources);

    private static bool Same(FrozenDictionary<string, AcceptedResource> a, FrozenDictionary<string, AcceptedResource> b) =>
        a.Count == b.Count && a.All(r => b.TryGetValue(r.Key, out var other) && ReferenceEquals(r.Value, other));

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "snapshot {Generation} in force: {Listeners} listener(s), {Routes} route configuration(s), {Clusters} cluster(s)")]
    private static partial void LogPublished(ILogger log, long generation, int listeners, int routes, int clusters);

    [LoggerMessage(EventId = 201, Level = LogLevel.Debug, Message = "not ready yet: {Missing}")]
    private static partial void LogWaiting(ILogger log, string missing);

    [LoggerMessage(EventId = 203, Level = LogLevel.Error, Message = "could not build a snapshot from the accepted configuration; the one in force stays")]
    private static partial void LogBuildFailed(ILogger log, Exception exception);

    [LoggerMessage(EventId = 202, Level = LogLevel.Warning, Message = "routes name the cluster {Cluster}, which the control plane did not send: requests routed to it get 503")]
    private static partial void LogUnknownCluster(ILogger log, string cluster);
}
