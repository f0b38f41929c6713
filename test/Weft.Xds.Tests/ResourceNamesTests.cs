namespace Weft.Xds.Tests;

public sealed class ResourceNamesTests
{
    private const string Reviews = "reviews.default.svc.cluster.local";

    [Fact]
    public void Cluster_names()
    {
        Assert.Equal("outbound|9080||reviews.default.svc.cluster.local", ResourceNames.OutboundCluster(9080, Reviews));
        Assert.Equal("outbound|9080|v1|reviews.default.svc.cluster.local", ResourceNames.OutboundCluster(9080, Reviews, "v1"));
        Assert.Equal("inbound|8080||", ResourceNames.InboundCluster(8080));
        Assert.Equal("outbound|443||*.example.com", ResourceNames.Cluster(Direction.Outbound, 443, "", "*.example.com"));
        Assert.Equal("outbound|9080|v2|reviews.default.svc.cluster.local", new ClusterName(Direction.Outbound, 9080, "v2", Reviews).ToString());
        Assert.Equal("outbound|9080||reviews.default.svc.cluster.local;", ResourceNames.AltStatName(ResourceNames.OutboundCluster(9080, Reviews)));
        Assert.Equal(["PassthroughCluster", "BlackHoleCluster", "InboundPassthroughCluster"],
            [ResourceNames.PassthroughCluster, ResourceNames.BlackHoleCluster, ResourceNames.InboundPassthroughCluster]);
    }

    [Fact]
    public void Sni_names()
    {
        Assert.Equal("outbound_.9080_._.reviews.default.svc.cluster.local", ResourceNames.Sni(9080, Reviews));
        Assert.Equal("outbound_.9080_.v1_.reviews.default.svc.cluster.local", ResourceNames.Sni(9080, Reviews, "v1"));
        Assert.True(ResourceNames.IsSniForm(ResourceNames.Sni(9080, Reviews)));
        Assert.False(ResourceNames.IsSniForm(ResourceNames.OutboundCluster(9080, Reviews)));
    }

    public static TheoryData<string, Direction, int, string, string> Parsable => new()
    {
        { "outbound|9080||reviews.default.svc.cluster.local", Direction.Outbound, 9080, "", Reviews },
        { "outbound|9080|v1|reviews.default.svc.cluster.local", Direction.Outbound, 9080, "v1", Reviews },
        { "inbound|8080||", Direction.Inbound, 8080, "", "" },
        { "outbound|80||*.wikipedia.org", Direction.Outbound, 80, "", "*.wikipedia.org" },
        { "outbound|53||_dns._udp.example.com", Direction.Outbound, 53, "", "_dns._udp.example.com" },
        { "outbound_.9080_._.reviews.default.svc.cluster.local", Direction.Outbound, 9080, "", Reviews },
        { "outbound_.9080_.v1_.reviews.default.svc.cluster.local", Direction.Outbound, 9080, "v1", Reviews },
        { "inbound_.8080_._.", Direction.Inbound, 8080, "", "" },
    };

    [Theory]
    [MemberData(nameof(Parsable))]
    public void Cluster_names_parse(string name, Direction direction, int port, string subset, string host)
    {
        Assert.True(ResourceNames.TryParseCluster(name, out var parsed));
        Assert.Equal(new ClusterName(direction, port, subset, host), parsed);
    }

    [Theory]
    [InlineData("outbound|9080||reviews.default.svc.cluster.local")]
    [InlineData("outbound|9080|v1|reviews.default.svc.cluster.local")]
    [InlineData("inbound|15006||")]
    public void Formatting_a_parsed_name_gives_it_back(string name)
    {
        Assert.True(ResourceNames.TryParseCluster(name, out var parsed));
        Assert.Equal(name, parsed.ToString());
    }

    [Fact]
    public void Sni_form_parses_to_the_same_cluster()
    {
        Assert.True(ResourceNames.TryParseCluster(ResourceNames.Sni(9080, Reviews, "v1"), out var fromSni));
        Assert.True(ResourceNames.TryParseCluster(ResourceNames.OutboundCluster(9080, Reviews, "v1"), out var fromName));
        Assert.Equal(fromName, fromSni);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("PassthroughCluster")]
    [InlineData("BlackHoleCluster")]
    [InlineData("InboundPassthroughCluster")]
    [InlineData("outbound|9080|reviews.default.svc.cluster.local")]
    [InlineData("outbound|9080|v1|reviews|extra")]
    [InlineData("sideways|9080||reviews")]
    [InlineData("outbound|http||reviews")]
    [InlineData("outbound|-1||reviews")]
    [InlineData("outbound|70000||reviews")]
    [InlineData("outbound| 80||reviews")]
    [InlineData("outbound_.9080_.reviews")]
    [InlineData("outbound_.9080_.v1_.a_.b")]
    [InlineData("virtualOutbound")]
    public void Other_names_do_not_parse(string? name)
    {
        Assert.False(ResourceNames.TryParseCluster(name, out var parsed));
        Assert.Equal(default, parsed);
    }

    [Fact]
    public void Listener_names()
    {
        Assert.Equal("virtualOutbound", ResourceNames.VirtualOutboundListener);
        Assert.Equal("virtualInbound", ResourceNames.VirtualInboundListener);
        Assert.Equal("0.0.0.0_80", ResourceNames.WildcardListener(80));
        Assert.Equal("10.0.0.7_3306", ResourceNames.Listener("10.0.0.7", 3306));
        Assert.Equal("127.0.0.1_9080", ResourceNames.Listener("127.0.0.1", 9080));
        Assert.Equal("reviews.default.svc.cluster.local:9080", ResourceNames.HostPort(Reviews, 9080));
        Assert.Equal("xds.istio.io/grpc/lds/inbound/0.0.0.0:8080", ResourceNames.ProxylessInboundListener("0.0.0.0", 8080));
        Assert.Equal("xds.istio.io/grpc/lds/inbound/[::]:8080", ResourceNames.ProxylessInboundListener("::", 8080));
        Assert.Equal(
            ["virtualOutbound-blackhole", "virtualOutbound-catchall-tcp", "virtualInbound-blackhole", "virtualInbound-catchall-http", "PassthroughFilterChain"],
            [ResourceNames.VirtualOutboundBlackholeChain, ResourceNames.VirtualOutboundCatchAllTcpChain, ResourceNames.VirtualInboundBlackholeChain,
             ResourceNames.VirtualInboundCatchAllHttpChain, ResourceNames.PassthroughFilterChain]);
    }

    [Theory]
    [InlineData("0.0.0.0_80", "0.0.0.0", 80)]
    [InlineData("10.0.0.7_3306", "10.0.0.7", 3306)]
    [InlineData("::_8080", "::", 8080)]
    public void Listener_names_parse(string name, string bind, int port)
    {
        Assert.True(ResourceNames.TryParseListener(name, out var b, out var p));
        Assert.Equal((bind, port), (b, p));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("virtualOutbound")]
    [InlineData("_80")]
    [InlineData("0.0.0.0_")]
    [InlineData("0.0.0.0_http")]
    [InlineData("0.0.0.0_99999")]
    public void Other_listener_names_do_not_parse(string? name) =>
        Assert.False(ResourceNames.TryParseListener(name, out _, out _));

    [Fact]
    public void Route_and_virtual_host_names()
    {
        Assert.Equal("80", ResourceNames.OutboundRouteConfig(80));
        Assert.Equal("reviews.default.svc.cluster.local:9080", ResourceNames.VirtualHost(Reviews, 9080));
        Assert.Equal("inbound|http|9080", ResourceNames.InboundHttpVirtualHost(9080));
        Assert.Equal("http.8080", ResourceNames.GatewayHttpRouteConfig(8080));
        Assert.Equal("https.443.https.bookinfo-gateway.default", ResourceNames.GatewayHttpsRouteConfig(443, "https", "bookinfo-gateway", "default"));
        Assert.Equal("blackhole:80", ResourceNames.GatewayBlackholeVirtualHost(80));
        Assert.Equal(["allow_any", "block_all", "default"], [ResourceNames.AllowAny, ResourceNames.BlockAll, ResourceNames.DefaultRoute]);
        Assert.Equal(["default", "ROOTCA"], [ResourceNames.DefaultSecret, ResourceNames.RootCaSecret]);
    }

    [Fact]
    public void Gateway_route_names_with_a_server_bind()
    {
        Assert.Equal("http.8080.10.0.0.1", ResourceNames.GatewayHttpRouteConfig(8080, "10.0.0.1"));
        Assert.Equal("https.443.https.gw.default.10.0.0.1", ResourceNames.GatewayHttpsRouteConfig(443, "https", "gw", "default", "10.0.0.1"));
    }

    [Fact]
    public void Secret_names()
    {
        Assert.Equal("file-cert:/c.pem~/k.pem", ResourceNames.FileCertificateSecret("/c.pem", "/k.pem"));
        Assert.Equal("file-root:/ca.pem", ResourceNames.FileRootSecret("/ca.pem"));
        Assert.Equal("kubernetes://cert", ResourceNames.CredentialSecret("cert"));
        Assert.Equal("kubernetes://cert-cacert", ResourceNames.CredentialCaSecret("cert"));
        Assert.Equal("kubernetes-gateway://ns/cert", ResourceNames.CredentialSecret("kubernetes-gateway://ns/cert"));
        Assert.Equal(["default", "ROOTCA"], [ResourceNames.CredentialSecret("builtin://"), ResourceNames.CredentialCaSecret("builtin://")]);
    }

    [Fact]
    public void Config_paths_and_delimited_stat_prefixes()
    {
        Assert.Equal("/apis/networking.istio.io/v1/namespaces/default/sidecar/app", ResourceNames.NetworkingConfigPath("sidecar", "default", "app"));
        Assert.Equal("outbound_0.0.0.0_80;", ResourceNames.DelimitedStatPrefix(ResourceNames.StatPrefix(Direction.Outbound, "0.0.0.0_80")));
    }

    [Fact]
    public void Stat_prefixes()
    {
        Assert.Equal("outbound_0.0.0.0_80", ResourceNames.StatPrefix(Direction.Outbound, ResourceNames.WildcardListener(80)));
        Assert.Equal("inbound_0.0.0.0_8080", ResourceNames.StatPrefix(Direction.Inbound, ResourceNames.WildcardListener(8080)));
    }

    [Fact]
    public void Out_of_range_ports_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ResourceNames.OutboundCluster(-1, Reviews));
        Assert.Throws<ArgumentOutOfRangeException>(() => ResourceNames.InboundCluster(65536));
        Assert.Throws<ArgumentException>(() => ResourceNames.Listener("", 80));
    }
}
