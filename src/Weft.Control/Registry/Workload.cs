using Weft.Control.Config;

namespace Weft.Control.Registry;

/// <summary>
/// A workload instance: a WorkloadEntry, or an inline ServiceEntry endpoint. Holds what EDS and a proxy's identity need.
/// </summary>
public sealed record Workload
{
    /// <summary>An IP address, a DNS name (DNS resolution) or <c>unix://path</c>.</summary>
    public required string Address { get; init; }

    public required string Namespace { get; init; }

    /// <summary>The WorkloadEntry's name; empty for inline ServiceEntry endpoints.</summary>
    public string Name { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, string> Labels { get; init; } = Empty;

    /// <summary>Port name → port number on this workload (WorkloadEntry <c>ports</c>).</summary>
    public IReadOnlyDictionary<string, int> Ports { get; init; } = EmptyPorts;

    /// <summary><c>region/zone/subzone</c>, any part may be empty.</summary>
    public string Locality { get; init; } = string.Empty;

    /// <summary>Load-balancing weight; 0 means the default (1).</summary>
    public int Weight { get; init; }

    public string ServiceAccount { get; init; } = string.Empty;

    public string Network { get; init; } = string.Empty;

    /// <summary>The resource that declared it (a WorkloadEntry, or the ServiceEntry of an inline endpoint).</summary>
    public ConfigKey? Origin { get; init; }

    /// <summary>
    /// Istio's TLS mode of the endpoint: the label <c>security.istio.io/tlsMode</c>, else <c>istio</c> when a service account
    /// is set, else <c>disabled</c>.
    /// </summary>
    public string TlsMode => Labels.TryGetValue("security.istio.io/tlsMode", out var mode) ? mode
        : ServiceAccount.Length > 0 ? "istio" : "disabled";

    public bool Matches(IReadOnlyDictionary<string, string> selector) =>
        selector.All(kv => Labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    private static readonly IReadOnlyDictionary<string, string> Empty = new Dictionary<string, string>();
    private static readonly IReadOnlyDictionary<string, int> EmptyPorts = new Dictionary<string, int>();
}
