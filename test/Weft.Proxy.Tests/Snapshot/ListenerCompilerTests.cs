using System.Net;
using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Listener = Weft.Xds.Envoy.Config.Listener.V3.Listener;

namespace Weft.Proxy.Tests.Snapshot;

/// <summary>What a compiled listener knows about TCP proxies, listener filters and their timeouts, and what it refuses.</summary>
public sealed class ListenerCompilerTests
{
    public static TheoryData<string> GoldenFiles()
    {
        var data = new TheoryData<string>();
        var directory = Path.Combine(Golden.RepositoryRoot(), "test", "Weft.Control.Tests", "Golden", "testdata");
        foreach (var file in Directory.GetFiles(directory, "*.golden.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(file)[..^".golden.json".Length];
            if (!name.Contains("proxyless", StringComparison.Ordinal))
            {
                data.Add(name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(GoldenFiles))]
    public void Every_listener_the_control_plane_writes_compiles(string golden)
    {
        foreach (var listener in Golden.Load(golden).OfType<Listener>())
        {
            var model = ListenerCompiler.Compile(listener);
            Assert.Equal(listener.Name, model.Name);
        }
    }

    [Fact]
    public void The_canary_inbound_listener_inspects_as_Istio_asks()
    {
        var inbound = Golden.Load("canary.workload-entry-v1").OfType<Listener>().Single(l => l.Name == "virtualInbound");
        var model = ListenerCompiler.Compile(inbound);

        // Istio's default protocolDetectionTimeout is 0: detection waits for the client as long as it takes.
        Assert.Equal(Timeout.InfiniteTimeSpan, model.Inspection.Timeout);
        Assert.True(model.Inspection.ContinueOnTimeout);
        // PERMISSIVE (no PeerAuthentication): every port but the loop guard has mTLS chains, so TLS detection runs there.
        // HTTP detection serves the passthrough chains, not the declared HTTP port (its plaintext chain takes any
        // raw_buffer connection) nor the loop guard.
        Assert.Equal(new Inspectors(Tls: true, Http: false), model.Inspection.For(18081));
        Assert.Equal(new Inspectors(Tls: false, Http: false), model.Inspection.For(15006));
        Assert.Equal(new Inspectors(Tls: true, Http: true), model.Inspection.For(9999));
    }

    [Fact]
    public void Inspectors_are_off_on_the_ports_their_predicates_name_and_the_timeout_defaults_to_15_seconds()
    {
        var listener = TcpListener("l", new TcpProxy { StatPrefix = "s", Cluster = "c" });
        listener.ListenerFilters.Add(new ListenerFilter
        {
            Name = "envoy.filters.listener.tls_inspector",
            TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Listener.TlsInspector.V3.TlsInspector()),
            FilterDisabled = new ListenerFilterChainMatchPredicate { DestinationPortRange = new Weft.Xds.Envoy.Type.V3.Int32Range { Start = 3306, End = 3307 } },
        });
        listener.ListenerFilters.Add(new ListenerFilter
        {
            Name = "envoy.filters.listener.http_inspector",
            TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Listener.HttpInspector.V3.HttpInspector()),
            FilterDisabled = new ListenerFilterChainMatchPredicate
            {
                NotMatch = new ListenerFilterChainMatchPredicate { DestinationPortRange = new Weft.Xds.Envoy.Type.V3.Int32Range { Start = 80, End = 81 } },
            },
        });
        var model = ListenerCompiler.Compile(listener);
        Assert.Equal(new Inspectors(Tls: false, Http: false), model.Inspection.For(3306));
        Assert.Equal(new Inspectors(Tls: true, Http: true), model.Inspection.For(80));
        Assert.Equal(new Inspectors(Tls: true, Http: false), model.Inspection.For(443));
        Assert.Equal(TimeSpan.FromSeconds(15), model.Inspection.Timeout);
        Assert.False(model.Inspection.ContinueOnTimeout);
        Assert.False(ListenerCompiler.Compile(TcpListener("bare", new TcpProxy { StatPrefix = "s", Cluster = "c" })).Inspection.For(80).Any);
    }

    [Fact]
    public void A_tcp_proxy_keeps_its_clusters_weights_and_timeouts()
    {
        var split = new TcpProxy
        {
            StatPrefix = "db.default",
            WeightedClusters = new TcpProxy.Types.WeightedCluster
            {
                Clusters =
                {
                    new TcpProxy.Types.WeightedCluster.Types.ClusterWeight { Name = "a", Weight = 3 },
                    new TcpProxy.Types.WeightedCluster.Types.ClusterWeight { Name = "b", Weight = 1 },
                },
            },
            IdleTimeout = Duration.FromTimeSpan(TimeSpan.Zero),
            MaxConnectAttempts = 3,
        };
        var proxy = Proxy(ListenerCompiler.Compile(TcpListener("l", split)));
        Assert.Equal(["a", "a", "a", "b", "a"], new ulong[] { 0, 1, 2, 3, 4 }.Select(proxy.PickCluster));
        Assert.Equal(Timeout.InfiniteTimeSpan, proxy.IdleTimeout);
        Assert.Equal(3, proxy.MaxConnectAttempts);

        var single = Proxy(ListenerCompiler.Compile(TcpListener("l", new TcpProxy { StatPrefix = "s", Cluster = "c" })));
        Assert.Equal("c", single.PickCluster(12345));
        Assert.Equal(TimeSpan.FromHours(1), single.IdleTimeout);
        Assert.Equal(1, single.MaxConnectAttempts);
        Assert.Null(single.MaxConnectionDuration);
    }

    [Theory]
    [InlineData("tunnel", "filter chain #0: the TCP proxy's tunneling_config (TCP over HTTP CONNECT or POST) is not supported")]
    [InlineData("no-cluster", "filter chain #0: the TCP proxy names no cluster")]
    [InlineData("zero-weight", "filter chain #0: the weighted cluster b has weight 0 (at least 1)")]
    [InlineData("no-prefix", "filter chain #0: the TCP proxy has no stat_prefix")]
    public void A_tcp_proxy_that_cannot_be_honoured_is_refused_with_the_reason(string kind, string reason)
    {
        var proxy = kind switch
        {
            "tunnel" => new TcpProxy { StatPrefix = "s", Cluster = "c", TunnelingConfig = new TcpProxy.Types.TunnelingConfig { Hostname = "h" } },
            "no-cluster" => new TcpProxy { StatPrefix = "s" },
            "zero-weight" => new TcpProxy
            {
                StatPrefix = "s",
                WeightedClusters = new TcpProxy.Types.WeightedCluster
                {
                    Clusters = { new TcpProxy.Types.WeightedCluster.Types.ClusterWeight { Name = "a", Weight = 1 }, new TcpProxy.Types.WeightedCluster.Types.ClusterWeight { Name = "b" } },
                },
            },
            _ => new TcpProxy { Cluster = "c" },
        };
        var e = Assert.Throws<XdsRejectedException>(() => ListenerCompiler.Compile(TcpListener("l", proxy)));
        Assert.Equal(reason, e.Message);
    }

    [Fact]
    public void Transparent_listeners_keep_their_original_src_filter()
    {
        var listener = TcpListener("t", new TcpProxy { StatPrefix = "s", Cluster = "c" });
        listener.Transparent = true;
        listener.ListenerFilters.Add(new ListenerFilter
        {
            Name = "envoy.filters.listener.original_src",
            TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Listener.OriginalSrc.V3.OriginalSrc { Mark = 1337, BindPort = true }),
        });

        var model = ListenerCompiler.Compile(listener);
        Assert.True(model.Transparent);
        Assert.Equal(new OriginalSourceFilter(Mark: 1337), model.OriginalSource);

        var plain = ListenerCompiler.Compile(TcpListener("p", new TcpProxy { StatPrefix = "s", Cluster = "c" }));
        Assert.False(plain.Transparent);
        Assert.Null(plain.OriginalSource);
    }

    [Fact]
    public void Connection_managers_that_allow_CONNECT_are_refused()
    {
        var http = XdsResources.HttpListener(8080);
        var filter = http.FilterChains[0].Filters[0];
        var hcm = filter.TypedConfig.Unpack<HttpConnectionManager>();
        hcm.UpgradeConfigs.Add(new HttpConnectionManager.Types.UpgradeConfig { UpgradeType = "CONNECT" });
        filter.TypedConfig = Any.Pack(hcm);
        Assert.Contains("upgrade_configs CONNECT", Assert.Throws<XdsRejectedException>(() => ListenerCompiler.Compile(http)).Message);
    }

    [Fact]
    public void Istios_metadata_exchange_filters_are_taken_the_tcp_one_with_its_protocol()
    {
        var tcp = TcpListener("l", new TcpProxy { StatPrefix = "s", Cluster = "c" });
        tcp.FilterChains[0].Filters.Insert(0, new Filter { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.Tcp() });
        Assert.Equal("istio-peer-exchange", Assert.IsType<TcpChain>(ListenerCompiler.Compile(tcp).Chains[0].Action).PeerExchange);
        Assert.Null(Assert.IsType<TcpChain>(ListenerCompiler.Compile(TcpListener("l", new TcpProxy { StatPrefix = "s", Cluster = "c" })).Chains[0].Action).PeerExchange);

        // Before a connection manager, with the HTTP peer metadata filter first among its HTTP filters, as istiod sends them.
        var http = XdsResources.HttpListener(8080);
        var manager = http.FilterChains[0].Filters[0];
        var hcm = manager.TypedConfig.Unpack<HttpConnectionManager>();
        hcm.HttpFilters.Insert(0, new HttpFilter { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.HttpOutbound() });
        manager.TypedConfig = Any.Pack(hcm);
        http.FilterChains[0].Filters.Insert(0, new Filter { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.Tcp() });
        Assert.IsType<HttpChain>(ListenerCompiler.Compile(http).Chains[0].Action);
    }

    [Fact]
    public void A_metadata_exchange_without_a_protocol_or_another_TypedStruct_is_refused()
    {
        var bare = TcpListener("l", new TcpProxy { StatPrefix = "s", Cluster = "c" });
        bare.FilterChains[0].Filters.Insert(0, new Filter
        {
            Name = MetadataExchangeFilters.FilterName,
            TypedConfig = Any.Pack(new Weft.Xds.Udpa.Type.V1.TypedStruct { TypeUrl = TypeUrls.MetadataExchange, Value = new Struct() }),
        });
        Assert.Equal("filter chain #0: network filter istio.metadata_exchange: the metadata exchange names no protocol", Assert.Throws<XdsRejectedException>(() => ListenerCompiler.Compile(bare)).Message);

        var other = TcpListener("l", new TcpProxy { StatPrefix = "s", Cluster = "c" });
        other.FilterChains[0].Filters.Insert(0, new Filter
        {
            Name = "wasm",
            TypedConfig = Any.Pack(new Weft.Xds.Udpa.Type.V1.TypedStruct { TypeUrl = "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm", Value = new Struct() }),
        });
        Assert.Contains("network filter wasm (type.googleapis.com/udpa.type.v1.TypedStruct) is not supported", Assert.Throws<XdsRejectedException>(() => ListenerCompiler.Compile(other)).Message);
    }

    private static TcpProxyModel Proxy(ListenerModel listener) => Assert.IsType<TcpChain>(listener.Chains[0].Action).Proxy;

    private static Listener TcpListener(string name, TcpProxy proxy) => new()
    {
        Name = name,
        Address = XdsResources.Address("127.0.0.1", 9000),
        FilterChains = { new FilterChain { Filters = { new Filter { Name = "envoy.filters.network.tcp_proxy", TypedConfig = Any.Pack(proxy) } } } },
    };
}
