using Google.Protobuf.WellKnownTypes;
using Weft.Control.Config;
using Weft.Control.Model;
using Weft.Control.Registry;
using Weft.Control.Tests.Support;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Control.Tests.Config;

/// <summary>How a connecting proxy is identified: Istio's node id form, metadata, and the WorkloadEntry it names.</summary>
public sealed class ProxyNodeTests
{
    private static LocalRegistry Registry()
    {
        var store = new ConfigStore();
        store.Apply([new("svc.yaml", Canary.Service)]);
        return LocalRegistry.Build(store.Current);
    }

    [Fact]
    public void A_node_id_naming_a_workload_entry_takes_its_labels_service_account_and_ports()
    {
        var proxy = ProxyNode.Parse(new Node { Id = "sidecar~127.0.0.1~product-catalog-v2.default~default.svc.cluster.local" }, Registry(), out var error);
        Assert.Null(error);
        Assert.NotNull(proxy);
        Assert.Equal(ProxyType.Sidecar, proxy.Type);
        Assert.Equal("default", proxy.Namespace);
        Assert.Equal("v2", proxy.Labels["version"]);
        Assert.Equal("product-catalog", proxy.ServiceAccount);
        Assert.Equal(18082, proxy.WorkloadPorts["http"]);
    }

    [Fact]
    public void Metadata_labels_add_to_the_workload_and_generator_grpc_marks_a_proxyless_client()
    {
        var node = new Node { Id = "sidecar~10.0.0.9~client-1.shop~shop.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["GENERATOR"] = Value.ForString("grpc");
        node.Metadata.Fields["LABELS"] = Value.ForStruct(new Struct { Fields = { ["app"] = Value.ForString("client") } });
        var proxy = ProxyNode.Parse(node, Registry(), out _);
        Assert.NotNull(proxy);
        Assert.True(proxy.IsProxylessGrpc);
        Assert.Equal("shop", proxy.Namespace);
        Assert.Equal("client", proxy.Labels["app"]);
        Assert.Null(proxy.Workload);
    }

    [Fact]
    public void A_proxy_config_in_metadata_brings_its_own_proxy_headers()
    {
        var node = new Node { Id = "sidecar~10.0.0.9~client-1.shop~shop.svc.cluster.local", Metadata = new Struct() };
        Assert.Null(ProxyNode.Parse(node, Registry(), out _)!.ProxyHeaders);

        // istio-agent sends the whole ProxyConfig; one without proxyHeaders still replaces the mesh default.
        node.Metadata.Fields["PROXY_CONFIG"] = Value.ForStruct(new Struct { Fields = { ["concurrency"] = Value.ForNumber(2) } });
        Assert.Same(ProxyHeaders.Default, ProxyNode.Parse(node, Registry(), out _)!.ProxyHeaders);

        node.Metadata.Fields["PROXY_CONFIG"] = Value.ForStruct(Struct.Parser.ParseJson("""
            {"concurrency": 2, "proxyHeaders": {
              "forwardedClientCert": "FORWARD_ONLY", "setCurrentClientCertDetails": {"chain": true, "uri": false},
              "server": {"disabled": true}, "requestId": {"disabled": true}, "attemptCount": {"disabled": true},
              "envoyDebugHeaders": {"disabled": true}, "metadataExchangeHeaders": {"mode": "IN_MESH"}, "xForwardedPort": {"enabled": true}}}
            """));
        var headers = ProxyNode.Parse(node, Registry(), out var error)!.ProxyHeaders;
        Assert.Null(error);
        Assert.Equal(new ProxyHeaders
        {
            ForwardedClientCert = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ForwardClientCertDetails.ForwardOnly,
            SetCurrentClientCertDetails = new ClientCertDetails(Chain: true, Uri: false),
            ServerDisabled = true,
            RequestIdDisabled = true,
            AttemptCountDisabled = true,
            EnvoyDebugHeadersDisabled = true,
            MetadataExchangeInMeshOnly = true,
        }, headers);
    }

    [Fact]
    public void A_proxy_config_with_a_value_of_the_wrong_type_is_refused_naming_the_field()
    {
        var node = new Node { Id = "sidecar~10.0.0.9~client-1.shop~shop.svc.cluster.local", Metadata = new Struct() };
        node.Metadata.Fields["PROXY_CONFIG"] = Value.ForStruct(Struct.Parser.ParseJson("""{"proxyHeaders": {"envoyDebugHeaders": {"disabled": "yes"}}}"""));

        Assert.Null(ProxyNode.Parse(node, Registry(), out var error));
        Assert.Equal("node id \"sidecar~10.0.0.9~client-1.shop~shop.svc.cluster.local\": metadata: PROXY_CONFIG.proxyHeaders.envoyDebugHeaders.disabled: expected true or false, found string", error);
    }

    [Theory]
    [InlineData("not-an-istio-id", "TYPE~IP~NAME.NAMESPACE~DOMAIN")]
    [InlineData("waiter~1.2.3.4~a.b~b.svc.cluster.local", "is not sidecar or router")]
    public void A_node_id_not_in_istio_form_is_refused_with_a_reason(string id, string reason)
    {
        Assert.Null(ProxyNode.Parse(new Node { Id = id }, Registry(), out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }
}
