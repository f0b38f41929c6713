using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Weft.Control.Registry;
using EnvoyNode = Weft.Xds.Envoy.Config.Core.V3.Node;

namespace Weft.Control.Model;

/// <summary>
/// A connected proxy as the generators see it: parsed from its node id (<c>TYPE~IP~NAME.NAMESPACE~DOMAIN</c>) and metadata,
/// and completed from the WorkloadEntry the id names (labels, service account, ports), so several workloads can share an
/// address. Immutable; a reconnect makes a new one.
/// </summary>
public sealed record ProxyNode
{
    public required string Id { get; init; }

    public required ProxyType Type { get; init; }

    /// <summary>The proxy's addresses (node id IP, plus <c>INSTANCE_IPS</c>).</summary>
    public required IReadOnlyList<string> IpAddresses { get; init; }

    /// <summary>The pod or workload name from the node id (<c>NAME</c> in <c>NAME.NAMESPACE</c>).</summary>
    public required string WorkloadName { get; init; }

    /// <summary>The namespace the proxy's configuration is computed for.</summary>
    public required string Namespace { get; init; }

    /// <summary>The proxy's DNS domain, <c>NAMESPACE.svc.cluster.local</c>: short host names are completed with it.</summary>
    public required string DnsDomain { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string ServiceAccount { get; init; } = string.Empty;

    public string ClusterId { get; init; } = "Kubernetes";

    /// <summary>Metadata <c>GENERATOR: grpc</c>: a proxyless gRPC client.</summary>
    public bool IsProxylessGrpc { get; init; }

    /// <summary>Metadata <c>INTERCEPTION_MODE</c>: REDIRECT (default), TPROXY or NONE (no iptables: listeners bind for real).</summary>
    public string InterceptionMode { get; init; } = "REDIRECT";

    /// <summary>The WorkloadEntry the node id names, when there is one.</summary>
    public Workload? Workload { get; init; }

    /// <summary>Port name → number the workload serves on (from its WorkloadEntry).</summary>
    public IReadOnlyDictionary<string, int> WorkloadPorts => Workload?.Ports ?? new Dictionary<string, int>();

    public string Locality { get; init; } = string.Empty;

    /// <summary>
    /// The proxyHeaders of the ProxyConfig the proxy sent in metadata <c>PROXY_CONFIG</c> (<see cref="ProxyHeaders.Default"/>
    /// when that has none); null when it sent no ProxyConfig, and the mesh's <c>defaultConfig</c> applies. As in Istio, a
    /// proxy's own ProxyConfig replaces the mesh default whole (istio-agent sends one already merged with it).
    /// </summary>
    public ProxyHeaders? ProxyHeaders { get; init; }

    /// <summary>
    /// The namespace the proxy proved it belongs to when it connected (see <c>XdsAuthenticator</c>); null when it did
    /// not (plaintext xDS). Secrets are only served within it.
    /// </summary>
    public string? VerifiedNamespace { get; init; }

    /// <summary>Parses an Envoy node; returns null with a reason when the id is not Istio's form.</summary>
    public static ProxyNode? Parse(EnvoyNode node, IServiceRegistry registry, out string? error)
    {
        error = null;
        var parts = node.Id.Split('~');
        if (parts.Length != 4)
        {
            error = $"node id \"{node.Id}\" is not TYPE~IP~NAME.NAMESPACE~DOMAIN";
            return null;
        }

        ProxyType type;
        switch (parts[0])
        {
            case "sidecar":
                type = ProxyType.Sidecar;
                break;
            case "router":
                type = ProxyType.Router;
                break;
            default:
                error = $"node id \"{node.Id}\": proxy type \"{parts[0]}\" is not sidecar or router";
                return null;
        }

        var meta = node.Metadata?.Fields ?? new Google.Protobuf.Collections.MapField<string, Value>();
        var dot = parts[2].IndexOf('.', StringComparison.Ordinal);
        var name = dot < 0 ? parts[2] : parts[2][..dot];
        var ns = Text(meta, "NAMESPACE") ?? (dot < 0 ? string.Empty : parts[2][(dot + 1)..]);
        if (ns.Length == 0)
        {
            ns = parts[3].Split('.')[0];
        }

        if (ns.Length == 0)
        {
            ns = "default";
        }

        var workload = registry.FindWorkload(name, ns);
        var labels = new Dictionary<string, string>(workload?.Labels ?? new Dictionary<string, string>());
        if (meta.TryGetValue("LABELS", out var labelValue) && labelValue.StructValue is { } labelStruct)
        {
            foreach (var (k, v) in labelStruct.Fields)
            {
                labels[k] = v.KindCase == Value.KindOneofCase.StringValue ? v.StringValue : v.ToString();
            }
        }

        ProxyHeaders? proxyHeaders = null;
        if (meta.TryGetValue("PROXY_CONFIG", out var proxyConfig) && proxyConfig.KindCase is not (Value.KindOneofCase.None or Value.KindOneofCase.NullValue))
        {
            try
            {
                proxyHeaders = MeshConfigReader.ReadProxyConfigHeaders(proxyConfig, "metadata");
            }
            catch (FormatException e)
            {
                error = $"node id \"{node.Id}\": {e.Message}";
                return null;
            }
        }

        var ips = new List<string> { parts[1] };
        if (Text(meta, "INSTANCE_IPS") is { } instanceIps)
        {
            ips.AddRange(instanceIps.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(ip => !ips.Contains(ip)));
        }

        return new ProxyNode
        {
            Id = node.Id,
            Type = type,
            IpAddresses = ips,
            WorkloadName = name,
            Namespace = ns,
            DnsDomain = parts[3].Length > 0 ? parts[3] : $"{ns}.svc.{LocalRegistry.ClusterDomain}",
            Labels = labels,
            ServiceAccount = Text(meta, "SERVICE_ACCOUNT") ?? (workload?.ServiceAccount is { Length: > 0 } sa ? sa : "default"),
            ClusterId = Text(meta, "CLUSTER_ID") ?? "Kubernetes",
            IsProxylessGrpc = string.Equals(Text(meta, "GENERATOR"), "grpc", StringComparison.Ordinal),
            InterceptionMode = Text(meta, "INTERCEPTION_MODE") ?? "REDIRECT",
            Workload = workload,
            Locality = workload?.Locality is { Length: > 0 } loc ? loc : LocalityOf(node),
            ProxyHeaders = proxyHeaders,
        };
    }

    private static string LocalityOf(EnvoyNode node) =>
        node.Locality is null ? string.Empty : string.Join('/', node.Locality.Region, node.Locality.Zone, node.Locality.SubZone).TrimEnd('/');

    private static string? Text(Google.Protobuf.Collections.MapField<string, Value> meta, string key) =>
        meta.TryGetValue(key, out var v) ? v.KindCase switch
        {
            Value.KindOneofCase.StringValue => v.StringValue,
            Value.KindOneofCase.NumberValue => v.NumberValue.ToString(CultureInfo.InvariantCulture),
            Value.KindOneofCase.BoolValue => v.BoolValue ? "true" : "false",
            _ => null,
        } : null;
}
