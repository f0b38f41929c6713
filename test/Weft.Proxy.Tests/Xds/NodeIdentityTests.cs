using Weft.Proxy.Xds;

namespace Weft.Proxy.Tests.Xds;

public sealed class NodeIdentityTests
{
    [Fact]
    public void Parses_Istio_sidecar_ids_and_sends_the_namespace_as_metadata()
    {
        var node = NodeIdentity.Parse("sidecar~10.0.0.7~reviews-v1.bookinfo~bookinfo.svc.cluster.local");
        Assert.Equal(("sidecar", "10.0.0.7", "reviews-v1", "bookinfo", "bookinfo.svc.cluster.local"), (node.Type, node.Ip, node.Name, node.Namespace, node.DnsDomain));
        var envoy = node.ToNode();
        Assert.Equal("sidecar~10.0.0.7~reviews-v1.bookinfo~bookinfo.svc.cluster.local", envoy.Id);
        Assert.Equal("bookinfo", envoy.Metadata.Fields["NAMESPACE"].StringValue);
        Assert.Equal("weft-proxy", envoy.UserAgentName);
        Assert.False(envoy.Metadata.Fields.ContainsKey("INTERCEPTION_MODE"));
        Assert.Equal("TPROXY", (node with { InterceptionMode = "TPROXY" }).ToNode().Metadata.Fields["INTERCEPTION_MODE"].StringValue);
    }

    [Theory]
    [InlineData("client", "is not TYPE~IP~NAME.NAMESPACE~DOMAIN")]
    [InlineData("waypoint~127.0.0.1~a.b~b.svc.cluster.local", "the type \"waypoint\" is not sidecar or router")]
    [InlineData("sidecar~localhost~a.b~b.svc.cluster.local", "\"localhost\" is not an IP address")]
    [InlineData("sidecar~127.0.0.1~client~default.svc.cluster.local", "\"client\" is not NAME.NAMESPACE")]
    [InlineData("sidecar~127.0.0.1~client.default~", "the DNS domain")]
    public void A_malformed_id_says_what_is_wrong(string id, string message)
    {
        var e = Assert.Throws<FormatException>(() => NodeIdentity.Parse(id));
        Assert.Contains(message, e.Message);
    }
}
