using Weft.Api.Model.Networking;
using Weft.Control.Generators.Clusters;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>The route-side hash policy of DestinationRule <c>consistentHash</c> (Istio's ConsistentHashToHashPolicy).</summary>
public sealed class HashPolicyTests
{
    private static DestinationRuleSpec RuleOf(string body) =>
        PushOf(Service("reviews") + Rule("reviews", body)).Config.OfKind("DestinationRule").Single().Spec<DestinationRuleSpec>();

    [Fact]
    public void Header_hash()
    {
        var policy = Assert.Single(HashPolicies.For(RuleOf("trafficPolicy:\n  loadBalancer:\n    consistentHash:\n      httpHeaderName: x-user").TrafficPolicy));

        Assert.Equal("x-user", policy.Header.HeaderName);
    }

    [Fact]
    public void Cookie_hash_with_path_ttl_and_attributes()
    {
        var rule = RuleOf("""
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  httpCookie:
                    name: session
                    path: /app
                    ttl: 1h
                    attributes:
                    - name: SameSite
                      value: Strict
                    - name: Secure
            """);

        var cookie = Assert.Single(HashPolicies.For(rule.TrafficPolicy)).Cookie;

        Assert.Equal("session", cookie.Name);
        Assert.Equal("/app", cookie.Path);
        Assert.Equal(3600, cookie.Ttl.Seconds);
        Assert.Equal(["SameSite=Strict", "Secure="], cookie.Attributes.Select(a => a.Name + "=" + a.Value));
    }

    [Fact]
    public void Source_ip_and_query_parameter_hashes()
    {
        var sourceIp = Assert.Single(HashPolicies.For(RuleOf("trafficPolicy:\n  loadBalancer:\n    consistentHash:\n      useSourceIp: true").TrafficPolicy));
        var query = Assert.Single(HashPolicies.For(RuleOf("trafficPolicy:\n  loadBalancer:\n    consistentHash:\n      httpQueryParameterName: user").TrafficPolicy));

        Assert.True(sourceIp.ConnectionProperties.SourceIp);
        Assert.Equal("user", query.QueryParameter.Name);
    }

    [Fact]
    public void No_consistent_hash_no_policy() =>
        Assert.Empty(HashPolicies.For(RuleOf("trafficPolicy:\n  loadBalancer:\n    simple: RANDOM").TrafficPolicy));

    [Fact]
    public void Destination_prefers_subset_port_level_then_subset_then_port_level_then_rule()
    {
        var rule = RuleOf("""
            trafficPolicy:
              loadBalancer:
                consistentHash:
                  httpHeaderName: rule
              portLevelSettings:
              - port:
                  number: 80
                loadBalancer:
                  consistentHash:
                    httpHeaderName: rule-port
            subsets:
            - name: v1
              labels:
                version: v1
              trafficPolicy:
                loadBalancer:
                  consistentHash:
                    httpHeaderName: subset
            - name: v2
              labels:
                version: v2
              trafficPolicy:
                portLevelSettings:
                - port:
                    number: 80
                  loadBalancer:
                    consistentHash:
                      httpHeaderName: subset-port
            """);

        Assert.Equal("rule", HashPolicies.ForDestination(rule, "", null)[0].Header.HeaderName);
        Assert.Equal("rule-port", HashPolicies.ForDestination(rule, "", 80)[0].Header.HeaderName);
        Assert.Equal("subset", HashPolicies.ForDestination(rule, "v1", 80)[0].Header.HeaderName);
        Assert.Equal("subset-port", HashPolicies.ForDestination(rule, "v2", 80)[0].Header.HeaderName);
        Assert.Equal("rule", HashPolicies.ForDestination(rule, "v2", null)[0].Header.HeaderName);
        Assert.Equal("rule-port", HashPolicies.ForService(rule, 80)[0].Header.HeaderName);
    }
}
