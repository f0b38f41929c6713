using System.Text.Json.Nodes;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// The bootstrap gRPC's xDS client reads (passed inline as GRPC_XDS_BOOTSTRAP_CONFIG): one plaintext
/// xDS server on 127.0.0.1 and the node's identity. The client rejects a bootstrap whose node has no
/// <c>locality</c> (with an unrelated TypeError), so an empty one is always sent; GENERATOR=grpc marks
/// a proxyless gRPC node for the control plane, as in Istio.
/// </summary>
public sealed record XdsBootstrap(int XdsPort, string NodeId, string Namespace = "default")
{
    /// <summary>Node metadata besides GENERATOR and NAMESPACE (e.g. LABELS is a Struct in Istio; strings only here).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Istio's sidecar node id for a workload on loopback: <c>sidecar~127.0.0.1~NAME.NS~NS.svc.cluster.local</c>.</summary>
    public static string SidecarNodeId(string workload, string @namespace = "default") =>
        $"sidecar~127.0.0.1~{workload}.{@namespace}~{@namespace}.svc.cluster.local";

    public string ToJson()
    {
        var metadata = new JsonObject
        {
            ["GENERATOR"] = "grpc",
            ["NAMESPACE"] = Namespace,
        };
        foreach (var (key, value) in Metadata)
        {
            metadata[key] = value;
        }

        var bootstrap = new JsonObject
        {
            ["xds_servers"] = new JsonArray(new JsonObject
            {
                ["server_uri"] = $"127.0.0.1:{XdsPort}",
                ["channel_creds"] = new JsonArray(new JsonObject { ["type"] = "insecure" }),
                // Only ignore_resource_deletion would change the client's behaviour; none is asked for.
                ["server_features"] = new JsonArray(),
            }),
            ["node"] = new JsonObject
            {
                ["id"] = NodeId,
                ["metadata"] = metadata,
                ["locality"] = new JsonObject(),
            },
        };
        return bootstrap.ToJsonString();
    }
}
