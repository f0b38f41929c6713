using System.Net;
using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Xds;

/// <summary>
/// The proxy's identity in Istio's node-id form, <c>TYPE~IP~NAME.NAMESPACE~DOMAIN</c>
/// (<c>sidecar~10.0.0.7~reviews-v1.default~default.svc.cluster.local</c>), and the Envoy node it sends on its first
/// xDS request: that id, who the client is, and the metadata Istio's agent sends (<c>NAMESPACE</c>, <c>NAME</c>,
/// <c>WORKLOAD_NAME</c>, <c>CLUSTER_ID</c>, and when known <c>LABELS</c>, <c>SERVICE_ACCOUNT</c> and <c>INTERCEPTION_MODE</c>).
/// </summary>
public sealed record NodeIdentity(string Id, string Type, string Ip, string Name, string Namespace, string DnsDomain)
{
    /// <summary>What the proxy reports as its user agent on xDS.</summary>
    public const string UserAgentName = "weft-proxy";

    /// <summary>Istio's cluster id when none is given (its default, and what weft control's local mode uses).</summary>
    public const string DefaultClusterId = "Kubernetes";

    /// <summary>The workload's labels (sent as <c>LABELS</c>; empty sends none, so the control plane keeps what it knows).</summary>
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string ClusterId { get; init; } = DefaultClusterId;

    /// <summary>The workload's service account; null sends none, so the control plane takes the workload's own.</summary>
    public string? ServiceAccount { get; init; }

    /// <summary>How its traffic is captured (<c>INTERCEPTION_MODE</c>: REDIRECT, TPROXY or NONE); null sends none (REDIRECT to the control plane).</summary>
    public string? InterceptionMode { get; init; }

    /// <summary>Parses a node id; a malformed one is a <see cref="FormatException"/> whose message says what is wrong.</summary>
    public static NodeIdentity Parse(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var parts = id.Split('~');
        if (parts.Length != 4)
        {
            throw new FormatException($"node id \"{id}\" is not TYPE~IP~NAME.NAMESPACE~DOMAIN (for example sidecar~127.0.0.1~client.default~default.svc.cluster.local)");
        }

        var (type, ip, workload, domain) = (parts[0], parts[1], parts[2], parts[3]);
        if (type is not ("sidecar" or "router"))
        {
            throw new FormatException($"node id \"{id}\": the type \"{type}\" is not sidecar or router");
        }

        if (!IPAddress.TryParse(ip, out _))
        {
            throw new FormatException($"node id \"{id}\": \"{ip}\" is not an IP address");
        }

        var dot = workload.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == workload.Length - 1)
        {
            throw new FormatException($"node id \"{id}\": \"{workload}\" is not NAME.NAMESPACE");
        }

        var name = workload[..dot];
        var ns = workload[(dot + 1)..];
        if (domain.Length == 0)
        {
            throw new FormatException($"node id \"{id}\": the DNS domain (the last part, e.g. {ns}.svc.cluster.local) is empty");
        }

        return new NodeIdentity(id, type, ip, name, ns, domain);
    }

    /// <summary>The node sent on the first request of every xDS stream.</summary>
    public Node ToNode()
    {
        var node = new Node
        {
            Id = Id,
            Cluster = $"{Name}.{Namespace}",
            UserAgentName = UserAgentName,
            UserAgentVersion = typeof(NodeIdentity).Assembly.GetName().Version?.ToString() ?? "0",
            Metadata = new Struct(),
        };
        var fields = node.Metadata.Fields;
        fields["NAMESPACE"] = Value.ForString(Namespace);
        fields["NAME"] = Value.ForString(Name);
        fields["WORKLOAD_NAME"] = Value.ForString(Name);
        fields["CLUSTER_ID"] = Value.ForString(ClusterId);
        if (Labels.Count > 0)
        {
            var labels = new Struct();
            foreach (var (key, value) in Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
            {
                labels.Fields[key] = Value.ForString(value);
            }

            fields["LABELS"] = Value.ForStruct(labels);
        }

        if (ServiceAccount is { Length: > 0 } account)
        {
            fields["SERVICE_ACCOUNT"] = Value.ForString(account);
        }

        if (InterceptionMode is { Length: > 0 } interception)
        {
            fields["INTERCEPTION_MODE"] = Value.ForString(interception);
        }

        return node;
    }
}
