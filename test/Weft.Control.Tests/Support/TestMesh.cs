using Google.Protobuf.WellKnownTypes;
using Weft.Api.Loading;
using Weft.Control.Config;
using Weft.Control.Generators;
using Weft.Control.Model;
using Weft.Control.Push;
using Weft.Control.Registry;
using EnvoyNode = Weft.Xds.Envoy.Config.Core.V3.Node;

namespace Weft.Control.Tests.Support;

/// <summary>
/// A push context built from YAML files the way the control plane builds one (config store, local registry), with a
/// fixed push version so that generated output never differs between runs; and the proxies tests generate for, made by
/// parsing Envoy nodes as a connecting proxy's would be.
/// </summary>
internal sealed class TestMesh
{
    /// <summary>The push version of every test mesh.</summary>
    public const string Version = "golden";

    private TestMesh(ConfigSnapshot config, MeshConfig mesh)
    {
        Push = new PushContext(config, LocalRegistry.Build(config), mesh, 1, Version);
    }

    public PushContext Push { get; }

    /// <summary>Resources (or whole files) the config store refused, with the reason.</summary>
    public IReadOnlyList<ConfigRejection> Rejections => Push.Config.Rejections;

    /// <summary>Builds a mesh from named files; rejected resources are kept out and listed in <see cref="Rejections"/>.</summary>
    public static TestMesh FromFiles(IEnumerable<ConfigFile> files, MeshConfig? mesh = null)
    {
        var store = new ConfigStore();
        store.Apply(files.Select(f => new KeyValuePair<string, string?>(f.Name, f.Text)).ToArray());
        return new TestMesh(store.Current, mesh ?? MeshConfig.Default);
    }

    /// <summary>Builds a mesh from hand-written YAML, one file per argument; any rejection fails the test that wrote it.</summary>
    public static TestMesh FromYaml(MeshConfig mesh, params string[] files)
    {
        var built = FromFiles(files.Select((text, i) => new ConfigFile($"input-{i}.yaml", text)), mesh);
        if (built.Rejections.Count > 0)
        {
            throw new InvalidOperationException("the test's configuration was rejected:\n" + string.Join('\n', built.Rejections.SelectMany(r => r.Errors.Select(e => $"{r.File}: {e}"))));
        }

        return built;
    }

    public static TestMesh FromYaml(params string[] files) => FromYaml(MeshConfig.Default, files);

    /// <summary>A sidecar (<c>sidecar~IP~NAME.NS~NS.svc.cluster.local</c>); its labels come from a WorkloadEntry of that name, if any.</summary>
    public ProxyNode Sidecar(string ns = "default", string name = "client", string ip = "10.1.0.1",
        IReadOnlyDictionary<string, string>? labels = null, string? interceptionMode = null) =>
        Node("sidecar", ns, name, ip, labels, interceptionMode, proxyless: false);

    /// <summary>A proxyless gRPC client (metadata <c>GENERATOR: grpc</c>).</summary>
    public ProxyNode Proxyless(string ns = "default", string name = "grpc-client", string ip = "10.1.0.2") =>
        Node("sidecar", ns, name, ip, labels: null, interceptionMode: null, proxyless: true);

    /// <summary>A gateway (<c>router~…</c>) with the labels its Gateways select.</summary>
    public ProxyNode Router(IReadOnlyDictionary<string, string> labels, string ns = "istio-system", string name = "istio-ingressgateway", string ip = "10.1.0.3") =>
        Node("router", ns, name, ip, labels, interceptionMode: null, proxyless: false);

    /// <summary>What the proxy is served; a proxyless client names the listeners it wants.</summary>
    public ProxyResources Resources(ProxyNode proxy, params string[] listenerNames) =>
        ProxyResources.Generate(proxy, Push, listenerNames.Length == 0 ? null : listenerNames.ToHashSet(StringComparer.Ordinal));

    private ProxyNode Node(string type, string ns, string name, string ip, IReadOnlyDictionary<string, string>? labels, string? interceptionMode, bool proxyless)
    {
        var node = new EnvoyNode { Id = $"{type}~{ip}~{name}.{ns}~{ns}.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["NAMESPACE"] = Value.ForString(ns);
        if (labels is { Count: > 0 })
        {
            var labelStruct = new Struct();
            foreach (var (key, value) in labels)
            {
                labelStruct.Fields[key] = Value.ForString(value);
            }

            node.Metadata.Fields["LABELS"] = Value.ForStruct(labelStruct);
        }

        if (interceptionMode is not null)
        {
            node.Metadata.Fields["INTERCEPTION_MODE"] = Value.ForString(interceptionMode);
        }

        if (proxyless)
        {
            node.Metadata.Fields["GENERATOR"] = Value.ForString("grpc");
        }

        return ProxyNode.Parse(node, Push.Registry, out var error) ?? throw new InvalidOperationException(error);
    }
}
