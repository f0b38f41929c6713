using Google.Protobuf.WellKnownTypes;
using Weft.Control.Generators;
using Cluster = Weft.Xds.Envoy.Config.Cluster.V3.Cluster;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Tests.Simulation;

/// <summary>
/// The simulator's own rules, on hand-written Envoy configuration (no generator involved): listener hand-off, filter chain
/// specificity, virtual host domain order and header matcher semantics, each as Envoy documents them.
/// </summary>
public sealed class SimulatorTests
{
    [Theory]
    [InlineData("api.example.com", "exact")]
    [InlineData("API.Example.com:8080", "exact")]
    [InlineData("x.api.example.com", "longer-suffix")]
    [InlineData("x.example.com", "suffix")]
    [InlineData("x-store.example.com", "suffix")]
    [InlineData("example.com", "prefix")]
    [InlineData("exam", "default")]
    [InlineData("other.org", "default")]
    public void A_host_picks_exact_then_longest_suffix_then_longest_prefix_then_the_default(string host, string vhost)
    {
        var routes = Routes("r", ignorePort: true,
            VirtualHost("default", "*"), VirtualHost("prefix", "exam*"), VirtualHost("suffix", "*.example.com", "*-store.example.com"),
            VirtualHost("longer-suffix", "*.api.example.com"), VirtualHost("exact", "api.example.com"));
        Assert.Equal(vhost, Run(routes, Call.Http(host)).VirtualHost);
    }

    [Fact]
    public void Without_ignore_port_in_host_matching_the_port_is_part_of_the_host()
    {
        var routes = Routes("r", ignorePort: false, VirtualHost("default", "*"), VirtualHost("exact", "api.example.com"), VirtualHost("with-port", "api.example.com:8080"));
        Assert.Equal("with-port", Run(routes, Call.Http("api.example.com:8080")).VirtualHost);
        Assert.Equal("default", Run(routes, Call.Http("api.example.com:9090")).VirtualHost);
    }

    [Fact]
    public void A_domain_listed_twice_makes_the_route_configuration_invalid()
    {
        var routes = Routes("r", ignorePort: true, VirtualHost("one", "a.example"), VirtualHost("two", "A.example"));
        Assert.Equal(Failure.InvalidRouteConfig, Run(routes, Call.Http("a.example")).Failure);
    }

    public static TheoryData<string, HeaderMatcher, string?, bool> HeaderCases => new()
    {
        { "present, header there", new HeaderMatcher { Name = "x", PresentMatch = true }, "v", true },
        { "present, header missing", new HeaderMatcher { Name = "x", PresentMatch = true }, null, false },
        { "present false, header missing", new HeaderMatcher { Name = "x", PresentMatch = false }, null, true },
        { "present inverted, header missing", new HeaderMatcher { Name = "x", PresentMatch = true, InvertMatch = true }, null, true },
        { "exact, other value", new HeaderMatcher { Name = "x", StringMatch = new StringMatcher { Exact = "a" } }, "b", false },
        { "exact inverted, other value", new HeaderMatcher { Name = "x", StringMatch = new StringMatcher { Exact = "a" }, InvertMatch = true }, "b", true },
        { "exact inverted, header missing", new HeaderMatcher { Name = "x", StringMatch = new StringMatcher { Exact = "a" }, InvertMatch = true }, null, false },
        { "exact inverted, missing as empty", new HeaderMatcher { Name = "x", StringMatch = new StringMatcher { Exact = "a" }, InvertMatch = true, TreatMissingHeaderAsEmpty = true }, null, true },
        { "exact ignoring case", new HeaderMatcher { Name = "x", StringMatch = new StringMatcher { Exact = "Jason", IgnoreCase = true } }, "jason", true },
        { "regex must match the whole value", new HeaderMatcher { Name = "x", StringMatch = new StringMatcher { SafeRegex = new RegexMatcher { Regex = "v[0-9]" } } }, "v12", false },
        { "no specifier checks presence", new HeaderMatcher { Name = "x" }, null, false },
    };

    [Theory]
    [MemberData(nameof(HeaderCases))]
    public void Header_matchers_follow_envoy(string description, HeaderMatcher matcher, string? value, bool matches)
    {
        Assert.True(HeaderMatching.Matches(matcher, value) == matches, description);
    }

    [Theory]
    [InlineData("10.0.0.7", 80, "10.0.0.7_80")]
    [InlineData("10.0.0.8", 80, "0.0.0.0_80")]
    [InlineData("10.0.0.8", 81, "virtualOutbound")]
    public void Captured_connections_are_handed_to_the_listener_of_their_original_destination(string address, int port, string listener)
    {
        var resources = Resources([Capture(), Tcp("10.0.0.7_80", "10.0.0.7", 80, bound: false), Tcp("0.0.0.0_80", "0.0.0.0", 80, bound: false)]);
        Assert.Equal(listener, new Simulator(resources).Run(Call.Tcp(address, port)).Listener);
    }

    [Fact]
    public void A_listener_that_does_not_bind_takes_no_connection_without_capture()
    {
        var resources = Resources([Tcp("0.0.0.0_80", "0.0.0.0", 80, bound: false)]);
        Assert.Equal(Failure.NoListener, new Simulator(resources).Run(Call.Tcp("10.0.0.7", 80)).Failure);
    }

    [Theory]
    [InlineData("a.example", "exact-sni")]
    [InlineData("b.example", "wildcard-sni")]
    [InlineData("b.other", "tls")]
    [InlineData("", "default")]
    public void Filter_chains_prefer_the_most_specific_server_name_then_transport(string sni, string chain)
    {
        var listener = Tcp("0.0.0.0_443", "0.0.0.0", 443, bound: true);
        listener.ListenerFilters.Add(new ListenerFilter { Name = ConnectionFacts.TlsInspector });
        listener.FilterChains.Clear();
        listener.FilterChains.Add(Chain("tls", new FilterChainMatch { TransportProtocol = "tls" }));
        listener.FilterChains.Add(Chain("wildcard-sni", new FilterChainMatch { ServerNames = { "*.example" } }));
        listener.FilterChains.Add(Chain("exact-sni", new FilterChainMatch { ServerNames = { "a.example" } }));
        listener.DefaultFilterChain = Chain("default", null);
        var call = sni.Length > 0 ? Call.Tls(sni, 443) : Call.Tcp(Call.AnyAddress, 443);
        Assert.Equal(chain, new Simulator(Resources([listener])).Run(call).FilterChain);
    }

    [Fact]
    public void Without_tls_inspector_a_tls_connection_is_raw_buffer_without_server_name()
    {
        var listener = Tcp("0.0.0.0_443", "0.0.0.0", 443, bound: true);
        listener.FilterChains.Clear();
        listener.FilterChains.Add(Chain("exact-sni", new FilterChainMatch { ServerNames = { "a.example" } }));
        var result = new Simulator(Resources([listener])).Run(Call.Tls("a.example", 443));
        Assert.Equal(Failure.NoFilterChain, result.Failure);
    }

    private static SimulationResult Run(RouteConfiguration routes, Call call)
    {
        var manager = new HttpConnectionManager { StatPrefix = "test", Rds = new Rds { RouteConfigName = routes.Name } };
        var listener = new Listener
        {
            Name = "0.0.0.0_" + call.Port,
            Address = SocketAt("0.0.0.0", call.Port),
            FilterChains = { new FilterChain { Name = "http", Filters = { new Filter { Name = "hcm", TypedConfig = Any.Pack(manager) } } } },
        };
        return new Simulator(new ProxyResources([new XdsResource(listener.Name, listener)], [new XdsResource(routes.Name, routes)], [], [])).Run(call);
    }

    private static RouteConfiguration Routes(string name, bool ignorePort, params VirtualHost[] hosts) =>
        new() { Name = name, IgnorePortInHostMatching = ignorePort, VirtualHosts = { hosts } };

    private static VirtualHost VirtualHost(string name, params string[] domains) => new()
    {
        Name = name,
        Domains = { domains },
        Routes = { new Route { Name = name, Match = new RouteMatch { Prefix = "/" }, DirectResponse = new DirectResponseAction { Status = 200 } } },
    };

    private static ProxyResources Resources(Listener[] listeners) => new(
        listeners.Select(l => new XdsResource(l.Name, l)).ToArray(),
        [],
        [new XdsResource("c", new Cluster { Name = "c", Type = Cluster.Types.DiscoveryType.OriginalDst })],
        []);

    private static Listener Capture() => new()
    {
        Name = "virtualOutbound",
        Address = SocketAt("0.0.0.0", 15001),
        UseOriginalDst = true,
        FilterChains = { Chain("virtualOutbound-catchall-tcp", null) },
    };

    private static Listener Tcp(string name, string ip, int port, bool bound) => new()
    {
        Name = name,
        Address = SocketAt(ip, port),
        BindToPort = bound,
        FilterChains = { Chain(name, null) },
    };

    private static FilterChain Chain(string name, FilterChainMatch? match) => new()
    {
        Name = name,
        FilterChainMatch = match,
        Filters = { new Filter { Name = "tcp", TypedConfig = Any.Pack(new TcpProxy { StatPrefix = "c", Cluster = "c" }) } },
    };

    private static Address SocketAt(string ip, int port) => new() { SocketAddress = new SocketAddress { Address = ip, PortValue = (uint)port } };
}
