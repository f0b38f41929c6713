using Weft.Api.Model.Telemetry;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Xds.Envoy.Config.AccessLog.V3;
using TelemetryAccessLogging = Weft.Api.Model.Telemetry.AccessLogging;

namespace Weft.Control.Generators.Listeners;

/// <summary>Which side of a request a listener serves, as Telemetry's <c>match.mode</c> names it.</summary>
internal enum WorkloadMode
{
    /// <summary>Outbound listeners of sidecars, and every gateway listener.</summary>
    Client,

    /// <summary>Inbound listeners of sidecars.</summary>
    Server,
}

/// <summary>The side of a proxy's listener, as istiod's listener classes give it.</summary>
internal static class WorkloadModes
{
    /// <summary>Server for a sidecar's inbound listeners; client for its outbound ones and for every gateway listener.</summary>
    public static WorkloadMode Of(ProxyNode proxy, Weft.Xds.Envoy.Config.Listener.V3.Listener listener) =>
        proxy.Type != ProxyType.Router && listener.TrafficDirection == Weft.Xds.Envoy.Config.Core.V3.TrafficDirection.Inbound
            ? WorkloadMode.Server
            : WorkloadMode.Client;
}

/// <summary>One access logging provider in force for a proxy's side: its log, its CEL filter expression, or that it is off.</summary>
internal sealed record LoggingConfig(string Provider, AccessLog Log, string? Expression, bool Disabled);

/// <summary>
/// Telemetry's access logging for one side of a proxy, merged as istiod merges it (mergeLogs):
/// <list type="bullet">
/// <item>The providers in scope are those the most specific level names (for that side), or mesh
/// <c>defaultProviders.accessLogging</c> where no level names any.</item>
/// <item>Each <c>accessLogging</c> entry without providers applies to the providers of the entry before it (the defaults
/// for the first); a later entry overrides an earlier one for the same provider: <c>disabled: true</c> turns it off, and
/// otherwise it logs with the filter last given for that provider by an entry that named it.</item>
/// <item>Entries whose <c>match.mode</c> is the other side are ignored.</item>
/// </list>
/// Providers are looked up in mesh <c>extensionProviders</c> (by name, ignoring case), then Istio's built-in ones;
/// only <c>envoyFileAccessLog</c> providers produce a log (gRPC and OpenTelemetry access log services are not
/// supported by <c>weft proxy</c>, and metrics or tracing providers log nothing).
/// </summary>
internal static class TelemetryLogging
{
    /// <summary>
    /// The providers in force, ordered by name; null when neither a Telemetry resource nor the mesh's default providers
    /// configure access logging for the proxy, and empty when they name none for this side: in both cases mesh
    /// <c>accessLogFile</c> decides, as in Istio.
    /// </summary>
    public static IReadOnlyList<LoggingConfig>? For(PushContext push, ProxyNode proxy, WorkloadMode mode)
    {
        var levels = push.Telemetries.For(proxy)
            .Select(t => t.Spec.AccessLogging)
            .Where(l => l is { Count: > 0 })
            .Select(l => l!)
            .ToArray();
        var defaults = push.Mesh.DefaultProviders.AccessLogging;
        if (levels.Length == 0 && defaults.Count == 0)
        {
            return null;
        }

        var configs = new List<LoggingConfig>();
        foreach (var (name, spec) in Merge(levels, defaults, mode))
        {
            if (ExtensionProvider.Find(push.Mesh, name) is { EnvoyFileAccessLog: { } file } provider)
            {
                configs.Add(new LoggingConfig(provider.Name, AccessLogging.FromProvider(provider, file, push.Mesh), spec.Expression, spec.Disabled));
            }
        }

        return configs.OrderBy(c => c.Provider, StringComparer.Ordinal).ToArray();
    }

    /// <summary>A provider's state after merging: its filter expression (null for none) or that it is off.</summary>
    internal readonly record struct ProviderLogging(string? Expression, bool Disabled);

    /// <summary>Istio's mergeLogs: the provider names in force for <paramref name="mode"/> and each one's state.</summary>
    internal static Dictionary<string, ProviderLogging> Merge(IReadOnlyList<IReadOnlyList<TelemetryAccessLogging>> levels, IReadOnlyList<string> defaults, WorkloadMode mode)
    {
        var providers = new Dictionary<string, ProviderLogging>(StringComparer.Ordinal);
        if (levels.Count == 0)
        {
            foreach (var name in defaults)
            {
                providers[name] = default;
            }

            return providers;
        }

        // The most specific level naming providers for this side decides which are in scope.
        IReadOnlyCollection<string> inScopeNames = defaults;
        var filters = new Dictionary<string, ProviderLogging>(StringComparer.Ordinal);
        foreach (var level in levels)
        {
            var named = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in level.Where(e => Matches(e.Match, mode)))
            {
                foreach (var name in Names(entry))
                {
                    named.Add(name);
                    filters[name] = new ProviderLogging(entry.Filter is null ? null : entry.Filter.Expression ?? string.Empty, false);
                }
            }

            if (named.Count > 0)
            {
                inScopeNames = named;
            }
        }

        var inScope = inScopeNames.ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<string> parent = defaults;
        foreach (var entry in levels.SelectMany(l => l))
        {
            var names = Names(entry);
            if (names.Count == 0)
            {
                names = parent;
            }

            parent = names;
            foreach (var name in names)
            {
                if (!inScope.Contains(name) || !Matches(entry.Match, mode))
                {
                    continue;
                }

                providers[name] = entry.Disabled == true ? new ProviderLogging(null, true) : filters.GetValueOrDefault(name);
            }
        }

        return providers;
    }

    private static IReadOnlyList<string> Names(TelemetryAccessLogging entry) =>
        (entry.Providers ?? []).Select(p => p.Name ?? string.Empty).ToArray();

    /// <summary>An entry without <c>match</c>, or with mode CLIENT_AND_SERVER (the default), applies to both sides.</summary>
    private static bool Matches(AccessLoggingLogSelector? match, WorkloadMode mode) => match?.Mode switch
    {
        null or "" or "CLIENT_AND_SERVER" => true,
        "CLIENT" => mode == WorkloadMode.Client,
        "SERVER" => mode == WorkloadMode.Server,
        _ => false,
    };
}
