using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Support.RouteTestSupport;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>Where a VirtualService route sends requests: clusters, ports, weights, subsets and per-destination headers.</summary>
public sealed class RouteDestinationTests
{
    private static string Vs(string route) => Service("reviews", ports: [9080]) + Service("multi", ip: "10.0.0.11", ports: [80, 8080]) + $$"""
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: vs, namespace: default}
        spec:
          hosts: [reviews, multi, external.example.com]
          http:
          - route:
        {{route}}
        """;

    [Theory]
    [InlineData("{host: reviews, port: {number: 7000}}", "outbound|7000||reviews.default.svc.cluster.local")]
    [InlineData("{host: reviews}", "outbound|9080||reviews.default.svc.cluster.local")]
    [InlineData("{host: multi}", "outbound|80||multi.default.svc.cluster.local")]
    [InlineData("{host: external.example.com}", "outbound|80||external.example.com")]
    [InlineData("{host: reviews, subset: v2}", "outbound|9080|v2|reviews.default.svc.cluster.local")]
    public void Destination_port_is_explicit_else_the_only_service_port_else_the_listener_port(string destination, string cluster)
    {
        var route = Single(Vs($"    - destination: {destination}"));
        Assert.Equal(cluster, route.Route_.Cluster);
    }

    [Fact]
    public void A_single_destination_ignores_its_weight()
    {
        var route = Single(Vs("    - destination: {host: reviews}\n      weight: 30"));
        Assert.Equal("outbound|9080||reviews.default.svc.cluster.local", route.Route_.Cluster);
        Assert.Null(route.Route_.WeightedClusters);
    }

    [Fact]
    public void Several_destinations_split_by_weight_without_a_total_and_drop_zero_weights()
    {
        var route = Single(Vs("""
                - destination: {host: reviews, subset: v1}
                  weight: 70
                - destination: {host: reviews, subset: v2}
                  weight: 0
                - destination: {host: reviews, subset: v3}
                  weight: 50
            """));
        var weighted = route.Route_.WeightedClusters;
        Assert.Equal(["outbound|9080|v1|reviews.default.svc.cluster.local", "outbound|9080|v3|reviews.default.svc.cluster.local"], weighted.Clusters.Select(c => c.Name));
        Assert.Equal([70u, 50u], weighted.Clusters.Select(c => c.Weight!.Value));
        Assert.Null(weighted.TotalWeight);
        Assert.Equal("vs:80/*", route.Decorator.Operation);
    }

    [Fact]
    public void Per_destination_headers_go_on_each_weighted_cluster()
    {
        var route = Single(Vs("""
                - destination: {host: reviews, subset: v1}
                  weight: 50
                  headers:
                    request: {set: {x-version: v1, host: v1.internal}, remove: [x-drop]}
                    response: {add: {x-served-by: v1}}
                - destination: {host: reviews, subset: v2}
                  weight: 50
            """));
        var v1 = route.Route_.WeightedClusters.Clusters[0];
        Assert.Equal(["x-version"], v1.RequestHeadersToAdd.Select(h => h.Header.Key));
        Assert.Equal(["x-drop"], v1.RequestHeadersToRemove);
        Assert.Equal(["x-served-by"], v1.ResponseHeadersToAdd.Select(h => h.Header.Key));
        Assert.Equal("v1.internal", v1.HostRewriteLiteral);
        Assert.Empty(route.Route_.WeightedClusters.Clusters[1].RequestHeadersToAdd);
        Assert.Empty(route.RequestHeadersToAdd);
    }

    [Fact]
    public void A_single_destinations_headers_go_on_the_route_after_the_routes_own()
    {
        var yaml = Service("reviews", ports: [9080]) + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: vs, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - headers:
                  request: {set: {x-route: r}}
                route:
                - destination: {host: reviews}
                  headers:
                    request: {set: {x-dest: d, ':authority': dest.internal}}
            """;
        var route = Single(yaml);
        Assert.Equal(["x-route", "x-dest"], route.RequestHeadersToAdd.Select(h => h.Header.Key));
        Assert.Equal("dest.internal", route.Route_.HostRewriteLiteral);
    }

    [Fact]
    public void Consistent_hashing_drops_the_previous_hosts_retry_predicate_for_a_single_destination()
    {
        var yaml = Service("reviews", ports: [9080]) + """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: default}
            spec:
              host: reviews
              trafficPolicy:
                loadBalancer:
                  consistentHash: {httpHeaderName: x-user}
              subsets:
              - name: v1
                labels: {version: v1}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: single, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v1}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: split, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, subset: v1}
                  weight: 50
                - destination: {host: reviews}
                  weight: 50
            """;
        var push = PushOf(yaml);

        // Retrying on another host would defeat hashing requests to one host.
        Assert.Empty(Assert.Single(RoutesFor(push, "single", 9080)).Route_.RetryPolicy.RetryHostPredicate);

        // Istio keeps the predicate when the route splits over several destinations.
        Assert.Single(Assert.Single(RoutesFor(push, "split", 9080)).Route_.RetryPolicy.RetryHostPredicate);
    }

    [Fact]
    public void A_port_level_hash_counts_only_when_the_destination_names_the_port()
    {
        var yaml = Service("reviews", ports: [9080]) + """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: reviews, namespace: default}
            spec:
              host: reviews
              trafficPolicy:
                portLevelSettings:
                - port: {number: 9080}
                  loadBalancer:
                    consistentHash: {useSourceIp: true}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: implicit, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews}
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: explicit, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - route:
                - destination: {host: reviews, port: {number: 9080}}
            """;
        var push = PushOf(yaml);
        Assert.Single(Assert.Single(RoutesFor(push, "implicit", 9080)).Route_.RetryPolicy.RetryHostPredicate);
        Assert.Empty(Assert.Single(RoutesFor(push, "explicit", 9080)).Route_.RetryPolicy.RetryHostPredicate);
    }
}
