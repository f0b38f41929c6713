using System.Runtime.InteropServices;
using Google.Protobuf;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Bench.Scale;

/// <summary>
/// Reads what a simulated Envoy needs from packed resources without decoding whole messages: a thousand clients share
/// the benchmark's cores with the control plane, so they read names and cluster types field by field and skip the rest.
/// </summary>
internal static class ResourceReader
{
    /// <summary>Field 1 of Listener, RouteConfiguration, Cluster and ClusterLoadAssignment is the name.</summary>
    private const int NameField = 1;

    private const int ClusterTypeField = 2;
    private const int ClusterEdsConfigField = 3;
    private const int EdsServiceNameField = 2;

    public static string Name(ByteString packed)
    {
        var input = Input(packed);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == NameField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                return input.ReadString();
            }

            input.SkipLastField();
        }

        return string.Empty;
    }

    /// <summary>A cluster's name, and for an EDS cluster the name its endpoints are asked for by (else null).</summary>
    public static (string Name, string? EdsName) Cluster(ByteString packed)
    {
        var input = Input(packed);
        var name = string.Empty;
        var eds = false;
        string? serviceName = null;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case NameField when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    name = input.ReadString();
                    break;
                case ClusterTypeField when WireFormat.GetTagWireType(tag) == WireFormat.WireType.Varint:
                    eds = input.ReadEnum() == (int)Weft.Xds.Envoy.Config.Cluster.V3.Cluster.Types.DiscoveryType.Eds;
                    break;
                case ClusterEdsConfigField when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    serviceName = EdsServiceName(input.ReadBytes());
                    break;
                default:
                    input.SkipLastField();
                    break;
            }
        }

        return (name, eds ? serviceName is { Length: > 0 } ? serviceName : name : null);
    }

    /// <summary>The route configurations a listener reads through RDS (few listeners per proxy, so decoded in full).</summary>
    public static IEnumerable<string> RouteNames(ByteString packed)
    {
        var listener = Listener.Parser.ParseFrom(packed);
        var chains = listener.FilterChains.AsEnumerable();
        if (listener.DefaultFilterChain is { } fallback)
        {
            chains = chains.Append(fallback);
        }

        foreach (var filter in chains.SelectMany(c => c.Filters))
        {
            if (filter.TypedConfig is { } config && config.TryUnpack<HttpConnectionManager>(out var manager) && manager.Rds is { } rds)
            {
                yield return rds.RouteConfigName;
            }
        }
    }

    private static string? EdsServiceName(ByteString config)
    {
        var input = Input(config);
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == EdsServiceNameField && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                return input.ReadString();
            }

            input.SkipLastField();
        }

        return null;
    }

    private static CodedInputStream Input(ByteString bytes) =>
        MemoryMarshal.TryGetArray(bytes.Memory, out var segment)
            ? new CodedInputStream(segment.Array!, segment.Offset, segment.Count)
            : new CodedInputStream(bytes.ToByteArray());
}
