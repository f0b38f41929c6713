using System.Net;
using Weft.Proxy.Snapshot.Listeners;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Listener = Weft.Xds.Envoy.Config.Listener.V3.Listener;

namespace Weft.Proxy.Tests.Snapshot;

/// <summary>Filter chain selection by Envoy's order of criteria, without going back.</summary>
public sealed class FilterChainTests
{
    private static readonly IPAddress Loopback = IPAddress.Loopback;

    [Fact]
    public void The_canary_workloads_inbound_listener_picks_its_chains_as_Envoy_would()
    {
        var inbound = Golden.Load("canary.workload-entry-v1").OfType<Listener>().Single(l => l.Name == "virtualInbound");
        var listener = ListenerCompiler.Compile(inbound);

        Assert.Equal("0.0.0.0_18081", Select(listener, 18081, "http/1.1"));
        Assert.Equal("virtualInbound-catchall-http", Select(listener, 9999, "http/1.1"));
        Assert.Equal("virtualInbound-catchall-http", Select(listener, 9999, "h2c"));
        Assert.Equal("virtualInbound", Select(listener, 9999, "mysql"));
        Assert.Equal("virtualInbound-blackhole", Select(listener, 15006, "http/1.1"));
        Assert.IsType<HttpChain>(listener.SelectChain(Facts(18081, "http/1.1"))!.Action);
        Assert.IsType<TcpChain>(listener.SelectChain(Facts(15006, "http/1.1"))!.Action);
    }

    [Fact]
    public void A_chain_for_the_port_wins_even_if_it_fails_a_later_criterion()
    {
        var listener = ListenerCompiler.Compile(new Listener
        {
            Name = "l",
            Address = XdsResources.Address("0.0.0.0", 15006),
            FilterChains =
            {
                Chain("port", new FilterChainMatch { DestinationPort = 80, TransportProtocol = "tls" }),
                Chain("any", new FilterChainMatch()),
            },
        });
        Assert.Null(FilterChainSelector.Select(listener.Chains, Facts(80, "http/1.1")));
        Assert.Equal("any", Select(listener, 81, "http/1.1"));
    }

    [Fact]
    public void The_longest_destination_prefix_wins_and_the_default_chain_catches_the_rest()
    {
        var listener = ListenerCompiler.Compile(new Listener
        {
            Name = "l",
            Address = XdsResources.Address("0.0.0.0", 15001),
            FilterChains =
            {
                Chain("wide", new FilterChainMatch { PrefixRanges = { new Weft.Xds.Envoy.Config.Core.V3.CidrRange { AddressPrefix = "10.0.0.0", PrefixLen = 8 } } }),
                Chain("narrow", new FilterChainMatch { PrefixRanges = { new Weft.Xds.Envoy.Config.Core.V3.CidrRange { AddressPrefix = "10.1.0.0", PrefixLen = 16 } } }),
            },
            DefaultFilterChain = Chain("fallback", null),
        });
        Assert.Equal("narrow", listener.SelectChain(Facts(80, "http/1.1", IPAddress.Parse("10.1.2.3")))!.Name);
        Assert.Equal("wide", listener.SelectChain(Facts(80, "http/1.1", IPAddress.Parse("10.2.2.3")))!.Name);
        Assert.Equal("fallback", listener.SelectChain(Facts(80, "http/1.1", IPAddress.Parse("192.168.0.1")))!.Name);
    }

    [Fact]
    public void Of_two_chains_naming_offered_protocols_the_one_naming_the_clients_first_choice_wins_whatever_the_chain_order()
    {
        // Istio's auto-detected port under PERMISSIVE: an mTLS HTTP chain and an mTLS TCP chain; a sidecar offers
        // [istio-http/1.1, istio, http/1.1], which both chains name, and Envoy goes by the client's first choice.
        var listener = ListenerCompiler.Compile(new Listener
        {
            Name = "l",
            Address = XdsResources.Address("0.0.0.0", 15006),
            FilterChains =
            {
                Chain("tcp", new FilterChainMatch { DestinationPort = 80, TransportProtocol = "tls", ApplicationProtocols = { "istio-peer-exchange", "istio" } }),
                Chain("http", new FilterChainMatch { DestinationPort = 80, TransportProtocol = "tls", ApplicationProtocols = { "istio-http/1.0", "istio-http/1.1", "istio-h2" } }),
            },
        });
        ConnectionFacts Offering(params string[] alpn) => new(Loopback, 80, Loopback, 40000, "tls", alpn);

        Assert.Equal("http", listener.SelectChain(Offering("istio-http/1.1", "istio", "http/1.1"))!.Name);
        Assert.Equal("tcp", listener.SelectChain(Offering("istio-peer-exchange", "istio"))!.Name);
        Assert.Equal("tcp", listener.SelectChain(Offering("istio", "istio-h2"))!.Name);
        Assert.Null(listener.SelectChain(Offering("h2", "http/1.1")));
    }

    [Fact]
    public void Two_chains_with_the_same_match_are_refused()
    {
        var e = Assert.Throws<XdsRejectedException>(() => ListenerCompiler.Compile(new Listener
        {
            Name = "l",
            Address = XdsResources.Address("0.0.0.0", 80),
            FilterChains = { Chain("a", new FilterChainMatch { DestinationPort = 80 }), Chain("b", new FilterChainMatch { DestinationPort = 80 }) },
        }));
        Assert.Equal("filter chains a and b have the same match", e.Message);
    }

    [Fact]
    public void A_connection_manager_without_the_router_last_is_refused()
    {
        var hcm = new HttpConnectionManager { Rds = new Rds { RouteConfigName = "80", ConfigSource = new ConfigSource { Ads = new AggregatedConfigSource() } } };
        hcm.HttpFilters.Add(new HttpFilter { Name = "envoy.filters.http.router", TypedConfig = Google.Protobuf.WellKnownTypes.Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3.Router()) });
        hcm.HttpFilters.Add(new HttpFilter { Name = "envoy.filters.http.fault", TypedConfig = Google.Protobuf.WellKnownTypes.Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3.HTTPFault()) });
        var listener = new Listener { Name = "l", Address = XdsResources.Address("0.0.0.0", 80), FilterChains = { new FilterChain { Filters = { XdsResources.ConnectionManagerFilter(hcm) } } } };
        var e = Assert.Throws<XdsRejectedException>(() => ListenerCompiler.Compile(listener));
        Assert.Contains("the router (envoy.filters.http.router) must be the last HTTP filter", e.Message);
    }

    private static string? Select(ListenerModel listener, int port, string alpn) => listener.SelectChain(Facts(port, alpn))?.Name;

    private static ConnectionFacts Facts(int port, string alpn, IPAddress? destination = null) =>
        new(destination ?? Loopback, port, Loopback, 40000, "raw_buffer", [alpn]);

    private static FilterChain Chain(string name, FilterChainMatch? match)
    {
        var chain = XdsResources.HttpListener(80).FilterChains[0].Clone();
        chain.Name = name;
        chain.FilterChainMatch = match;
        return chain;
    }
}
