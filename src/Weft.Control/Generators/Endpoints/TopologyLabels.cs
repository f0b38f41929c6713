namespace Weft.Control.Generators.Endpoints;

/// <summary>
/// The labels Istio adds to every workload's and proxy's own labels (AugmentLabels), so that <c>failoverPriority</c> can
/// name standard topology labels whatever the workload declares: region, zone, subzone, cluster and network.
/// </summary>
internal static class TopologyLabels
{
    public const string Region = "topology.kubernetes.io/region";
    public const string Zone = "topology.kubernetes.io/zone";
    public const string Subzone = "topology.istio.io/subzone";
    public const string Cluster = "topology.istio.io/cluster";
    public const string Network = "topology.istio.io/network";

    /// <summary>The labels plus the topology labels; a network label the workload sets itself is kept.</summary>
    public static IReadOnlyDictionary<string, string> Augment(IReadOnlyDictionary<string, string> labels, string locality, string clusterId, string network)
    {
        var result = new Dictionary<string, string>(labels, StringComparer.Ordinal);
        var parsed = Localities.Parse(locality);
        SetIfAny(result, Region, parsed.Region);
        SetIfAny(result, Zone, parsed.Zone);
        SetIfAny(result, Subzone, parsed.SubZone);
        SetIfAny(result, Cluster, clusterId);
        if (network.Length > 0 && result.GetValueOrDefault(Network, string.Empty).Length == 0)
        {
            result[Network] = network;
        }

        return result;
    }

    private static void SetIfAny(Dictionary<string, string> labels, string key, string value)
    {
        if (value.Length > 0)
        {
            labels[key] = value;
        }
    }
}
