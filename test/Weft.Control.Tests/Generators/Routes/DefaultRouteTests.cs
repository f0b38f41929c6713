using Weft.Control.Tests.Support;
using static Weft.Control.Tests.Support.RouteTestSupport;

namespace Weft.Control.Tests.Generators.Routes;

/// <summary>The route a service without a VirtualService gets, as seen in the route configuration a sidecar receives.</summary>
public sealed class DefaultRouteTests
{
    [Fact]
    public void A_service_without_virtual_service_gets_the_default_route()
    {
        var push = PushOf(Service("ratings", ports: [9080]));
        var vhost = Configuration(push, "9080").VirtualHosts.Single(v => v.Name == "ratings.default.svc.cluster.local:9080");
        var route = Assert.Single(vhost.Routes);
        Assert.Equal("default", route.Name);
        Assert.Equal("/", route.Match.Prefix);
        Assert.Null(route.Match.CaseSensitive);
        Assert.Equal("outbound|9080||ratings.default.svc.cluster.local", route.Route_.Cluster);
        Assert.Equal(0, route.Route_.Timeout.Seconds);
        Assert.Equal(0, route.Route_.MaxGrpcTimeout.Seconds);
        Assert.Equal(2u, route.Route_.RetryPolicy.NumRetries);
        Assert.Equal("ratings.default.svc.cluster.local:9080/*", route.Decorator.Operation);
        Assert.Null(route.Metadata);
    }

    [Fact]
    public void The_default_route_keeps_previous_hosts_even_with_consistent_hashing()
    {
        var push = PushOf(Service("ratings", ports: [9080]) + """
            apiVersion: networking.istio.io/v1
            kind: DestinationRule
            metadata: {name: ratings, namespace: default}
            spec:
              host: ratings
              trafficPolicy:
                loadBalancer:
                  consistentHash: {httpCookie: {name: session, ttl: 0s}}
            """);
        var route = Configuration(push, "9080").VirtualHosts.Single(v => v.Name.StartsWith("ratings", StringComparison.Ordinal)).Routes[0];
        Assert.Single(route.Route_.RetryPolicy.RetryHostPredicate);
    }

    [Fact]
    public void Virtual_service_routes_appear_in_the_sidecars_route_configuration()
    {
        var push = PushOf(Service("reviews", ports: [9080]) + """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: reviews, namespace: default}
            spec:
              hosts: [reviews]
              http:
              - name: v2-users
                match: [{headers: {end-user: {exact: jason}}}]
                route: [{destination: {host: reviews, subset: v2}}]
              - name: rest
                route: [{destination: {host: reviews, subset: v1}}]
            """);
        var vhost = Configuration(push, "9080").VirtualHosts.Single(v => v.Name == "reviews.default.svc.cluster.local:9080");
        Assert.Equal(["v2-users", "rest"], vhost.Routes.Select(r => r.Name));
        Assert.Equal("outbound|9080|v2|reviews.default.svc.cluster.local", vhost.Routes[0].Route_.Cluster);
    }
}
