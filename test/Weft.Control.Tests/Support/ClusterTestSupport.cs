using Weft.Control.Config;
using Weft.Control.Generators.Clusters;
using Weft.Control.Generators.Endpoints;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using UpstreamHttpOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Control.Tests.Support;

/// <summary>Builds a push from YAML and the clusters and load assignments a proxy would get from it.</summary>
internal static class ClusterTestSupport
{
    /// <summary>The client proxy's address; services' endpoints use other addresses.</summary>
    public const string ProxyIp = "10.1.1.1";

    /// <summary>A push holding <paramref name="yaml"/>; fails the test, quoting the findings, when any resource is rejected.</summary>
    public static PushContext PushOf(string yaml, MeshConfig? mesh = null)
    {
        var store = new ConfigStore();
        store.Apply([new("clusters.yaml", yaml)]);
        var snapshot = store.Current;
        if (snapshot.Rejections.Count > 0)
        {
            var messages = snapshot.Rejections.SelectMany(r => r.Errors.Select(e => $"{r.Key}: {e.FieldPath} {e.Message}"));
            throw new InvalidOperationException("test YAML was rejected:\n" + string.Join('\n', messages));
        }

        return new PushContext(snapshot, LocalRegistry.Build(snapshot), mesh ?? MeshConfig.Default, 1, "1");
    }

    public static ProxyNode Sidecar(string ns = "default", string locality = "", IReadOnlyDictionary<string, string>? labels = null) => new()
    {
        Id = $"sidecar~{ProxyIp}~client.{ns}~{ns}.svc.cluster.local",
        Type = ProxyType.Sidecar,
        IpAddresses = [ProxyIp],
        WorkloadName = "client",
        Namespace = ns,
        DnsDomain = $"{ns}.svc.cluster.local",
        Labels = labels ?? new Dictionary<string, string>(),
        Locality = locality,
    };

    public static ProxyNode Gateway(string ns = "istio-system") => Sidecar(ns) with { Type = ProxyType.Router, Id = $"router~{ProxyIp}~gw.{ns}~{ns}.svc.cluster.local" };

    public static ProxyNode Proxyless(string ns = "default") => Sidecar(ns) with { IsProxylessGrpc = true };

    /// <summary>Every cluster a proxy gets (a sidecar's or gateway's full CDS).</summary>
    public static IReadOnlyList<Cluster> AllClusters(PushContext push, ProxyNode? proxy = null) =>
        new ClusterGenerator().Generate(proxy ?? Sidecar(), push, null).Select(r => (Cluster)r.Message).ToArray();

    /// <summary>The named cluster, asked for by name (as proxyless clients ask) or picked from the full CDS.</summary>
    public static Cluster ClusterNamed(PushContext push, string name, ProxyNode? proxy = null)
    {
        proxy ??= Sidecar();
        var resources = new ClusterGenerator().Generate(proxy, push, proxy.IsProxylessGrpc ? new HashSet<string> { name } : null);
        return (Cluster)Assert.Single(resources, r => r.Name == name).Message;
    }

    /// <summary>The load assignment EDS sends <paramref name="proxy"/> for a cluster.</summary>
    public static ClusterLoadAssignment Assignment(PushContext push, string cluster, ProxyNode? proxy = null) =>
        (ClusterLoadAssignment)Assert.Single(new EndpointGenerator().Generate(proxy ?? Sidecar(), push, new HashSet<string> { cluster })).Message;

    /// <summary>The upstream HTTP protocol options of a cluster; null when it has none.</summary>
    public static UpstreamHttpOptions? HttpOptions(Cluster cluster) =>
        cluster.TypedExtensionProtocolOptions.TryGetValue(ClusterDraft.ProtocolOptionsKey, out var any) ? any.Unpack<UpstreamHttpOptions>() : null;

    /// <summary>The TLS context of a cluster's single transport socket.</summary>
    public static UpstreamTlsContext Tls(Cluster cluster)
    {
        Assert.NotNull(cluster.TransportSocket);
        Assert.Equal("envoy.transport_sockets.tls", cluster.TransportSocket.Name);
        return cluster.TransportSocket.TypedConfig.Unpack<UpstreamTlsContext>();
    }

    /// <summary>A Kubernetes Service in <paramref name="ns"/> selecting WorkloadEntries labelled <c>app: NAME</c>.</summary>
    public static string Service(string name, string ns = "default", string ports = "  - name: http\n    port: 80\n    targetPort: 8080", string clusterIp = "10.0.0.10") => $"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          clusterIP: {clusterIp}
          selector:
            app: {name}
          ports:
        {Indent(ports, 2)}
        ---

        """;

    /// <summary>A WorkloadEntry labelled <c>app: APP</c> plus <paramref name="labels"/> (YAML lines, indented by the caller's 4).</summary>
    public static string Workload(string name, string app, string address, string ns = "default", string locality = "", string serviceAccount = "", string labels = "") => $"""
        apiVersion: networking.istio.io/v1
        kind: WorkloadEntry
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          address: {address}
          labels:
            app: {app}
        {Indent(labels, 4)}
        {(locality.Length > 0 ? $"  locality: {locality}" : string.Empty)}
        {(serviceAccount.Length > 0 ? $"  serviceAccount: {serviceAccount}" : string.Empty)}
        ---

        """;

    /// <summary>A DestinationRule named <c>dr</c> for <paramref name="host"/>; <paramref name="body"/> is the spec below <c>host</c>.</summary>
    public static string Rule(string host, string body, string ns = "default", string name = "dr") => $"""
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata:
          name: {name}
          namespace: {ns}
        spec:
          host: {host}
        {Indent(body, 2)}
        ---

        """;

    private static string Indent(string text, int spaces) =>
        string.Join('\n', text.Split('\n').Select(line => line.Length == 0 ? line : new string(' ', spaces) + line));
}
