using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Api.Model.Telemetry;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Istio.Stats;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// Telemetry's metrics as istiod turns them into Istio's stats filter (<c>istio.stats</c>, <c>stats.PluginConfig</c>):
/// one per Prometheus provider in force, on every HTTP connection manager (just before the router) and every TCP filter
/// chain (just before the TCP proxy) of a sidecar's or gateway's listeners.
/// <list type="bullet">
/// <item>The providers in force are those the most specific Telemetry level names, or mesh
/// <c>defaultProviders.metrics</c> (<c>prometheus</c> in a standard installation); a level without providers inherits
/// the level before's.</item>
/// <item>Overrides are merged in order per provider, side and metric: <c>disabled</c> and each tag override replace
/// earlier ones. Disabling all metrics for a side drops the filter from that side's listeners; a later override for that
/// side brings it back.</item>
/// <item>The filter on inbound (server) and gateway listeners never falls back to the Host header for
/// <c>destination_service</c>; <c>reportingInterval</c> becomes the TCP reporting interval.</item>
/// </list>
/// </summary>
internal static class TelemetryMetrics
{
    public const string FilterName = "istio.stats";

    /// <summary>Istio's metric names (the Telemetry API's enum) and the Prometheus names without the <c>istio_</c> prefix.</summary>
    private static readonly (string Metric, string Prometheus)[] Metrics =
    [
        ("GRPC_REQUEST_MESSAGES", "request_messages_total"),
        ("GRPC_RESPONSE_MESSAGES", "response_messages_total"),
        ("REQUEST_COUNT", "requests_total"),
        ("REQUEST_DURATION", "request_duration_milliseconds"),
        ("REQUEST_SIZE", "request_bytes"),
        ("RESPONSE_SIZE", "response_bytes"),
        ("TCP_CLOSED_CONNECTIONS", "tcp_connections_closed_total"),
        ("TCP_OPENED_CONNECTIONS", "tcp_connections_opened_total"),
        ("TCP_RECEIVED_BYTES", "tcp_received_bytes_total"),
        ("TCP_SENT_BYTES", "tcp_sent_bytes_total"),
    ];

    /// <summary>Adds the stats filters in force for the proxy to each of its listeners' connection managers and TCP chains.</summary>
    public static IEnumerable<Listener> Apply(IEnumerable<Listener> listeners, PushContext push, ProxyNode proxy)
    {
        var merged = Merge(push.Telemetries.For(proxy).Select(t => t.Spec.Metrics).Where(m => m is { Count: > 0 }).SelectMany(m => m!).ToArray(), push.Mesh.DefaultProviders.Metrics);
        var client = Filters(merged, push.Mesh, WorkloadMode.Client, hostFallback: proxy.Type != ProxyType.Router);
        var server = proxy.Type == ProxyType.Router ? client : Filters(merged, push.Mesh, WorkloadMode.Server, hostFallback: false);
        if (client.Count == 0 && server.Count == 0)
        {
            return listeners;
        }

        return listeners.Select(l => WithFilters(l, WorkloadModes.Of(proxy, l) == WorkloadMode.Server ? server : client));
    }

    /// <summary>The stats filters' configurations for one side, in provider name order (empty when metrics are off there).</summary>
    internal static IReadOnlyList<PluginConfig> Filters(IReadOnlyDictionary<string, ProviderMetrics> merged, MeshConfig mesh, WorkloadMode mode, bool hostFallback)
    {
        var configs = new List<PluginConfig>();
        foreach (var name in merged.Keys.Order(StringComparer.Ordinal))
        {
            if (ExtensionProvider.Find(mesh, name) is not { Kind: "prometheus" })
            {
                continue;
            }

            var metrics = merged[name];
            var side = mode == WorkloadMode.Server ? metrics.Server : metrics.Client;
            if (side.Disabled)
            {
                continue;
            }

            var config = new PluginConfig { DisableHostHeaderFallback = !hostFallback, TcpReportingDuration = metrics.ReportingInterval };
            foreach (var metric in side.Overrides)
            {
                var stats = new MetricConfig
                {
                    Name = Array.Find(Metrics, m => m.Metric == metric.Name) is { Prometheus: { } prometheus } ? prometheus : metric.Name,
                    Drop = metric.Disabled,
                };
                foreach (var tag in metric.Tags)
                {
                    if (tag.Remove)
                    {
                        stats.TagsToRemove.Add(tag.Name);
                    }
                    else
                    {
                        stats.Dimensions[tag.Name] = tag.Value;
                    }
                }

                config.Metrics.Add(stats);
            }

            configs.Add(config);
        }

        return configs;
    }

    private static Listener WithFilters(Listener built, IReadOnlyList<PluginConfig> configs)
    {
        if (configs.Count == 0)
        {
            return built;
        }

        var listener = built.Clone();
        foreach (var chain in listener.DefaultFilterChain is { } fallback ? listener.FilterChains.Append(fallback) : listener.FilterChains)
        {
            for (var i = 0; i < chain.Filters.Count; i++)
            {
                var filter = chain.Filters[i];
                if (filter.TypedConfig is not { } typed)
                {
                    continue;
                }

                if (typed.Is(HttpConnectionManager.Descriptor))
                {
                    var manager = typed.Unpack<HttpConnectionManager>();
                    var router = manager.HttpFilters.Count - 1;
                    foreach (var config in configs)
                    {
                        manager.HttpFilters.Insert(router++, new HttpFilter { Name = FilterName, TypedConfig = Any.Pack(config) });
                    }

                    filter.TypedConfig = Any.Pack(manager);
                }
                else if (typed.TypeUrl == TypeUrls.TcpProxy)
                {
                    foreach (var config in configs)
                    {
                        chain.Filters.Insert(i++, new Filter { Name = FilterName, TypedConfig = Any.Pack(config) });
                    }
                }
            }
        }

        return listener;
    }

    /// <summary>What one provider's metrics come to after merging.</summary>
    internal sealed record ProviderMetrics(SideMetrics Client, SideMetrics Server, Duration? ReportingInterval);

    /// <summary>One side's metrics: off altogether, or the overrides of each metric, ordered by metric name.</summary>
    internal sealed record SideMetrics(bool Disabled, IReadOnlyList<MetricOverride> Overrides);

    internal sealed record MetricOverride(string Name, bool Disabled, IReadOnlyList<TagOverride> Tags);

    internal sealed record TagOverride(string Name, bool Remove, string Value);

    /// <summary>Istio's mergeMetrics over the <c>metrics</c> entries of the Telemetry levels in force, least specific first.</summary>
    internal static IReadOnlyDictionary<string, ProviderMetrics> Merge(IReadOnlyList<Weft.Api.Model.Telemetry.Metrics> entries, IReadOnlyList<string> defaults)
    {
        // provider -> side -> metric -> (disabled, tag overrides)
        var providers = new Dictionary<string, Dictionary<WorkloadMode, Dictionary<string, (bool? Disabled, Dictionary<string, MetricsOverridesTagOverride> Tags)>>>(StringComparer.Ordinal);
        if (entries.Count == 0)
        {
            foreach (var name in defaults)
            {
                providers[name] = [];
            }
        }

        IReadOnlyList<string> inScopeNames = defaults;
        foreach (var entry in entries)
        {
            if (Names(entry) is { Count: > 0 } named)
            {
                inScopeNames = named;
            }
        }

        var inScope = inScopeNames.ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> parent = defaults;
        var allDisabled = new HashSet<(string, WorkloadMode)>();
        var intervals = new Dictionary<string, Duration>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var names = Names(entry) is { Count: > 0 } own ? own : parent;
            parent = names;
            foreach (var provider in names.Where(inScope.Contains))
            {
                if (entry.ReportingInterval is { Length: > 0 } interval)
                {
                    intervals[provider] = Duration.Parser.ParseJson("\"" + interval + "\"");
                }

                if (!providers.TryGetValue(provider, out var sides))
                {
                    providers[provider] = sides = new() { [WorkloadMode.Client] = [], [WorkloadMode.Server] = [] };
                }

                foreach (var o in entry.Overrides ?? [])
                {
                    if (IsAllMetrics(o.Match) && o.Disabled == true)
                    {
                        foreach (var mode in Modes(o.Match?.Mode))
                        {
                            allDisabled.Add((provider, mode));
                        }

                        continue;
                    }

                    foreach (var mode in Modes(o.Match?.Mode))
                    {
                        allDisabled.Remove((provider, mode));
                        if (!sides.TryGetValue(mode, out var metrics))
                        {
                            sides[mode] = metrics = [];
                        }

                        foreach (var metric in Matches(o.Match))
                        {
                            var current = metrics.TryGetValue(metric, out var found) ? found : (null, new Dictionary<string, MetricsOverridesTagOverride>(StringComparer.Ordinal));
                            if (o.Disabled is { } disabled)
                            {
                                current.Disabled = disabled;
                            }

                            foreach (var (tag, value) in o.TagOverrides ?? new Dictionary<string, MetricsOverridesTagOverride>())
                            {
                                current.Tags[tag] = value;
                            }

                            metrics[metric] = current;
                        }
                    }
                }
            }
        }

        var merged = new Dictionary<string, ProviderMetrics>(StringComparer.Ordinal);
        foreach (var (provider, sides) in providers)
        {
            merged[provider] = new ProviderMetrics(Side(provider, WorkloadMode.Client), Side(provider, WorkloadMode.Server), intervals.GetValueOrDefault(provider));

            SideMetrics Side(string name, WorkloadMode mode)
            {
                if (allDisabled.Contains((name, mode)))
                {
                    return new SideMetrics(true, []);
                }

                if (!sides.TryGetValue(mode, out var metrics))
                {
                    return new SideMetrics(false, []);
                }

                return new SideMetrics(false, metrics
                    .OrderBy(m => m.Key, StringComparer.Ordinal)
                    .Select(m => new MetricOverride(m.Key, m.Value.Disabled == true, m.Value.Tags
                        .OrderBy(t => t.Key, StringComparer.Ordinal)
                        .Select(t => t.Value.Operation == "REMOVE" ? new TagOverride(t.Key, true, string.Empty) : new TagOverride(t.Key, false, t.Value.Value ?? string.Empty))
                        .ToArray()))
                    .ToArray());
            }
        }

        return merged;
    }

    private static IReadOnlyList<string> Names(Weft.Api.Model.Telemetry.Metrics entry) => (entry.Providers ?? []).Select(p => p.Name ?? string.Empty).ToArray();

    /// <summary>No selector, one naming neither metric, or <c>ALL_METRICS</c>: the override is about every metric.</summary>
    private static bool IsAllMetrics(MetricSelector? match) =>
        match is null || (match.CustomMetric is not { Length: > 0 } && match.Metric is null or "" or "ALL_METRICS");

    private static IEnumerable<string> Matches(MetricSelector? match) =>
        match?.CustomMetric is { Length: > 0 } custom ? [custom]
        : match?.Metric is { Length: > 0 } metric && metric != "ALL_METRICS" ? [metric]
        : Metrics.Select(m => m.Metric);

    private static WorkloadMode[] Modes(string? mode) => mode switch
    {
        "CLIENT" => [WorkloadMode.Client],
        "SERVER" => [WorkloadMode.Server],
        _ => [WorkloadMode.Client, WorkloadMode.Server],
    };
}
