using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Snapshot.Routes;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;
using AppendAction = Weft.Xds.Envoy.Config.Core.V3.HeaderValueOption.Types.HeaderAppendAction;

namespace Weft.Proxy.Tests.Snapshot;

public sealed class RouteTableTests
{
    private static RouteTable Table(bool ignorePort, params (string Name, string[] Domains)[] hosts)
    {
        var config = new RouteConfiguration { Name = "80", IgnorePortInHostMatching = ignorePort };
        foreach (var (name, domains) in hosts)
        {
            config.VirtualHosts.Add(new VirtualHost { Name = name, Domains = { domains }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, DirectResponse = new DirectResponseAction { Status = 200 } } } });
        }

        return RouteCompiler.Compile(config);
    }

    [Theory]
    [InlineData("api.example.com", "exact")]
    [InlineData("API.Example.COM", "exact")]
    [InlineData("www.example.com", "long-suffix")]
    [InlineData("a.b.example.com", "long-suffix")]
    [InlineData("x.com", "short-suffix")]
    [InlineData(".example.com", "short-suffix")] // "*.example.com" needs at least one character before it
    [InlineData("foo.internal", "prefix")]
    [InlineData("other", "default")]
    [InlineData("api.example.com:8080", "default")] // the port counts unless the table ignores it
    public void Picks_the_virtual_host_as_Envoy_does(string host, string expected)
    {
        var table = Table(false,
            ("default", ["*"]),
            ("short-suffix", ["*.com"]),
            ("long-suffix", ["*.example.com"]),
            ("prefix", ["foo.*"]),
            ("exact", ["api.example.com"]));
        Assert.Equal(expected, table.FindVirtualHost(host)?.Name);
    }

    [Theory]
    [InlineData("product-catalog:8080", "pc")]
    [InlineData("product-catalog", "pc")]
    [InlineData("[::1]:80", "v6")]
    [InlineData("other:80", "default")]
    public void Ignoring_the_port_matches_the_host_alone(string host, string expected)
    {
        var table = Table(true, ("pc", ["product-catalog"]), ("v6", ["[::1]"]), ("default", ["*"]));
        Assert.Equal(expected, table.FindVirtualHost(host)?.Name);
    }

    [Fact]
    public void A_domain_in_two_virtual_hosts_is_refused()
    {
        var e = Assert.Throws<XdsRejectedException>(() => Table(false, ("a", ["x.com"]), ("b", ["X.com"])));
        Assert.Contains("the domain \"X.com\" appears in more than one virtual host", e.Message);
    }

    [Fact]
    public void Weighted_clusters_split_by_weight_over_the_sum_in_order()
    {
        var choice = (WeightedClusters)Forward(new WeightedCluster { Clusters = { Weight("v1", 90), Weight("v2", 10), Weight("v3", 0) } }).Clusters;
        var request = RouteRequest.For("/");
        Assert.Equal(100UL, choice.Total);
        Assert.Equal("v1", choice.Pick(request, 0).Cluster);
        Assert.Equal("v1", choice.Pick(request, 89).Cluster);
        Assert.Equal("v2", choice.Pick(request, 90).Cluster);
        Assert.Equal("v2", choice.Pick(request, 199).Cluster);
        Assert.Equal(10, Enumerable.Range(0, 1000).Count(r => choice.Pick(request, (ulong)r).Cluster == "v2") / 10);
    }

    [Theory]
    [InlineData(0u, "add up to 0")]
    [InlineData(50u, "not total_weight 50")]
    public void Bad_weights_are_refused(uint total, string reason)
    {
        var weighted = total == 0 ? new WeightedCluster { Clusters = { Weight("v1", 0) } } : new WeightedCluster { Clusters = { Weight("v1", 90), Weight("v2", 10) }, TotalWeight = total };
        var e = Assert.Throws<XdsRejectedException>(() => Forward(weighted));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Timeouts_default_to_15s_and_0_means_none()
    {
        Assert.Equal(TimeSpan.FromSeconds(15), Forward(new RouteAction { Cluster = "c" }).Timeout);
        Assert.Equal(TimeSpan.Zero, Forward(new RouteAction { Cluster = "c", Timeout = new Duration() }).Timeout);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), Forward(new RouteAction { Cluster = "c", Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(1500)) }).Timeout);
    }

    [Fact]
    public void Header_edits_remove_then_add_with_each_append_action()
    {
        var mutation = HeaderMutation.Compile(
            [
                Add("x-append", "2", AppendAction.AppendIfExistsOrAdd),
                Add("x-absent", "new", AppendAction.AddIfAbsent),
                Add("x-present", "new", AppendAction.AddIfAbsent),
                Add("x-set", "set", AppendAction.OverwriteIfExistsOrAdd),
                Add("x-only-if-there", "v", AppendAction.OverwriteIfExists),
                Add("x-removed", "back", AppendAction.AppendIfExistsOrAdd),
                Add("x-percent", "100%%", AppendAction.OverwriteIfExistsOrAdd),
                Add("x-empty", "", AppendAction.OverwriteIfExistsOrAdd),
                new HeaderValueOption { Header = new HeaderValue { Key = "x-legacy", Value = "v" }, Append = false },
            ],
            ["x-removed"]);
        var headers = new HeaderDictionary { ["x-append"] = "1", ["x-present"] = "old", ["x-set"] = "old", ["x-removed"] = "gone" };
        mutation.Apply(headers);
        Assert.Equal(new[] { "1", "2" }, (string[])headers["x-append"]!);
        Assert.Equal("new", headers["x-absent"]);
        Assert.Equal("old", headers["x-present"]);
        Assert.Equal("set", headers["x-set"]);
        Assert.False(headers.ContainsKey("x-only-if-there"));
        Assert.Equal("back", headers["x-removed"]);
        Assert.Equal("100%", headers["x-percent"]);
        Assert.False(headers.ContainsKey("x-empty"));
        Assert.Equal("v", headers["x-legacy"]);
    }

    [Theory]
    [InlineData("host", "v", "not editable")]
    [InlineData(":path", "v", "not editable")]
    [InlineData("x-a", "%DOWNSTREAM_REMOTE_ADDRESS%", "substitution command")]
    public void Header_edits_Envoy_refuses_are_refused(string name, string value, string reason)
    {
        var e = Assert.Throws<XdsRejectedException>(() => HeaderMutation.Compile([Add(name, value, AppendAction.AppendIfExistsOrAdd)], []));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_direct_response_larger_than_allowed_is_refused()
    {
        var config = new RouteConfiguration
        {
            Name = "80",
            VirtualHosts = { new VirtualHost { Name = "a", Domains = { "*" }, Routes = { new Route { Name = "big", Match = new RouteMatch { Prefix = "/" }, DirectResponse = new DirectResponseAction { Status = 200, Body = new DataSource { InlineString = new string('x', 5000) } } } } } },
        };
        var e = Assert.Throws<XdsRejectedException>(() => RouteCompiler.Compile(config));
        Assert.Equal("virtual host a: route big: the direct_response body (5000 bytes) is larger than max_direct_response_body_size_bytes (4096)", e.Message);
        config.MaxDirectResponseBodySizeBytes = 1 << 20;
        Assert.Equal(5000, ((DirectReply)RouteCompiler.Compile(config).VirtualHosts[0].Routes[0].Behavior).Body.Length);
    }

    [Fact]
    public void A_bad_regex_names_the_route()
    {
        var config = new RouteConfiguration
        {
            Name = "80",
            VirtualHosts = { new VirtualHost { Name = "a", Domains = { "*" }, Routes = { new Route { Name = "r", Match = new RouteMatch { SafeRegex = new RegexMatcher { Regex = "/(" } }, Route_ = new RouteAction { Cluster = "c" } } } } },
        };
        var e = Assert.Throws<XdsRejectedException>(() => RouteCompiler.Compile(config));
        Assert.StartsWith("virtual host a: route r: the regex \"/(\" is not valid RE2", e.Message);
    }

    private static ForwardAction Forward(WeightedCluster weighted) => Forward(new RouteAction { WeightedClusters = weighted });

    private static ForwardAction Forward(RouteAction action)
    {
        var config = new RouteConfiguration { Name = "80", VirtualHosts = { new VirtualHost { Name = "a", Domains = { "*" }, Routes = { new Route { Match = new RouteMatch { Prefix = "/" }, Route_ = action } } } } };
        try
        {
            return (ForwardAction)RouteCompiler.Compile(config).VirtualHosts[0].Routes[0].Behavior;
        }
        catch (XdsRejectedException e)
        {
            throw new XdsRejectedException(e.Message);
        }
    }

    private static WeightedCluster.Types.ClusterWeight Weight(string name, uint weight) => new() { Name = name, Weight = weight };

    private static HeaderValueOption Add(string name, string value, AppendAction action) =>
        new() { Header = new HeaderValue { Key = name, Value = value }, AppendAction = action };
}
