using Weft.Control.Generators.Listeners;
using static Weft.Control.Tests.Support.ListenerTestSupport;

namespace Weft.Control.Tests.Generators.Listeners;

/// <summary>VirtualService <c>tcp</c> and <c>tls</c> routes shaping a sidecar's opaque outbound chains.</summary>
public sealed class SidecarTcpRouteTests
{
    private const string Mysql = """
        apiVersion: networking.istio.io/v1
        kind: ServiceEntry
        metadata: {name: mysql, namespace: default}
        spec:
          hosts: [mysql.default.svc.cluster.local]
          addresses: [10.0.0.9]
          location: MESH_INTERNAL
          resolution: STATIC
          ports: [{number: 3306, name: tcp, protocol: TCP}]
          endpoints: [{address: 10.1.0.3, labels: {version: v1}}, {address: 10.1.0.4, labels: {version: v2}}]
        ---
        apiVersion: networking.istio.io/v1
        kind: DestinationRule
        metadata: {name: mysql, namespace: default}
        spec:
          host: mysql.default.svc.cluster.local
          subsets: [{name: v1, labels: {version: v1}}, {name: v2, labels: {version: v2}}]
        """;

    [Fact]
    public void Weighted_tcp_route_splits_between_clusters()
    {
        var push = NewPush(Mysql + """

            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: mysql-split, namespace: default}
            spec:
              hosts: [mysql.default.svc.cluster.local]
              tcp:
              - route:
                - destination: {host: mysql.default.svc.cluster.local, subset: v1}
                  weight: 80
                - destination: {host: mysql.default.svc.cluster.local, subset: v2}
                  weight: 20
                - destination: {host: mysql.default.svc.cluster.local, subset: v2}
                  weight: 0
            """);
        var chain = Assert.Single(ListenerOf(Sidecar(), push, "10.0.0.9_3306").FilterChains);

        Assert.Equal("outbound|3306|v1|mysql.default.svc.cluster.local=80,outbound|3306|v2|mysql.default.svc.cluster.local=20", Target(chain));
        Assert.Equal("mysql-split.default", Tcp(chain)!.StatPrefix);
        Assert.Equal("/apis/networking.istio.io/v1/namespaces/default/virtual-service/mysql-split",
            chain.Metadata.FilterMetadata["istio"].Fields["config"].StringValue);
    }

    [Fact]
    public void Single_destination_route_uses_its_cluster_with_the_cluster_as_stat_prefix()
    {
        var push = NewPush(Mysql + """

            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: mysql, namespace: default}
            spec:
              hosts: [mysql.default.svc.cluster.local]
              tcp:
              - route: [{destination: {host: mysql.default.svc.cluster.local, subset: v2}}]
            """);
        var chain = Assert.Single(ListenerOf(Sidecar(), push, "10.0.0.9_3306").FilterChains);

        Assert.Equal("outbound|3306|v2|mysql.default.svc.cluster.local", Target(chain));
        Assert.Equal("outbound|3306|v2|mysql.default.svc.cluster.local", Tcp(chain)!.StatPrefix);
    }

    [Fact]
    public void Subnet_matches_come_first_and_the_service_chain_takes_the_rest()
    {
        var push = NewPush(Mysql + """

            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: mysql, namespace: default}
            spec:
              hosts: [mysql.default.svc.cluster.local]
              tcp:
              - match: [{destinationSubnets: [10.0.0.9/32], port: 3306}]
                route: [{destination: {host: mysql.default.svc.cluster.local, subset: v1}}]
            """);
        var listener = ListenerOf(Sidecar(), push, "10.0.0.9_3306");

        var subnet = Assert.Single(listener.FilterChains);
        Assert.Equal("10.0.0.9", Assert.Single(subnet.FilterChainMatch.PrefixRanges).AddressPrefix);
        Assert.Equal("outbound|3306|v1|mysql.default.svc.cluster.local", Target(subnet));
        Assert.Equal("outbound|3306||mysql.default.svc.cluster.local", Target(listener.DefaultFilterChain));
    }

    [Fact]
    public void Matches_for_other_ports_labels_or_gateways_do_not_apply()
    {
        var push = NewPush(Mysql + """

            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: mysql, namespace: default}
            spec:
              hosts: [mysql.default.svc.cluster.local]
              tcp:
              - match: [{port: 3307}]
                route: [{destination: {host: mysql.default.svc.cluster.local, subset: v1}}]
              - match: [{sourceLabels: {app: batch}}]
                route: [{destination: {host: mysql.default.svc.cluster.local, subset: v2}}]
              - match: [{gateways: [istio-system/egress]}]
                route: [{destination: {host: mysql.default.svc.cluster.local, subset: v1}}]
            """);

        Assert.Equal("outbound|3306||mysql.default.svc.cluster.local", Target(Assert.Single(ListenerOf(Sidecar(), push, "10.0.0.9_3306").FilterChains)));
        var batch = Sidecar(labels: new Dictionary<string, string> { ["app"] = "batch" });
        Assert.Equal("outbound|3306|v2|mysql.default.svc.cluster.local", Target(Assert.Single(ListenerOf(batch, push, "10.0.0.9_3306").FilterChains)));
    }

    [Fact]
    public void Hash_on_source_ip_from_the_destination_rule_reaches_the_tcp_proxy()
    {
        var push = NewPush(Mysql.Replace("subsets:", "trafficPolicy: {loadBalancer: {consistentHash: {useSourceIp: true}}}\n  subsets:", StringComparison.Ordinal));
        var tcp = Tcp(Assert.Single(ListenerOf(Sidecar(), push, "10.0.0.9_3306").FilterChains))!;

        Assert.NotNull(Assert.Single(tcp.HashPolicy).SourceIp);
    }

    [Fact]
    public void Tls_routes_match_sni_and_need_the_tls_inspector()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: external, namespace: default}
            spec:
              hosts: ["*.example.com"]
              location: MESH_EXTERNAL
              resolution: NONE
              ports: [{number: 443, name: tls, protocol: TLS}]
            ---
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: egress, namespace: default}
            spec:
              hosts: [egress.example.org]
              location: MESH_EXTERNAL
              resolution: DNS
              ports: [{number: 443, name: tls, protocol: TLS}]
            ---
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata: {name: external, namespace: default}
            spec:
              hosts: ["*.example.com"]
              tls:
              - match: [{sniHosts: [a.example.com, b.example.com]}]
                route: [{destination: {host: egress.example.org, port: {number: 443}}}]
              - match: [{sniHosts: [a.example.com, b.example.com], sourceLabels: {app: other}}]
                route: [{destination: {host: egress.example.org, port: {number: 443}}}]
            """);
        var listener = ListenerOf(Sidecar(), push, "0.0.0.0_443");

        var sni = Assert.Single(listener.FilterChains, c => c.FilterChainMatch?.ServerNames.Contains("a.example.com") == true);
        Assert.Equal(["a.example.com", "b.example.com"], sni.FilterChainMatch.ServerNames);
        Assert.Equal("outbound|443||egress.example.org", Target(sni));
        Assert.Contains(listener.FilterChains, c => c.FilterChainMatch?.ServerNames.SequenceEqual(["egress.example.org"]) == true);
        Assert.Equal([ListenerFilters.TlsInspectorName], listener.ListenerFilters.Select(f => f.Name));
        Assert.Equal("PassthroughCluster", Target(listener.DefaultFilterChain));
    }

    [Fact]
    public void Tls_service_with_an_address_needs_no_sni_match()
    {
        var push = NewPush("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata: {name: secure, namespace: default}
            spec:
              hosts: [secure.default.svc.cluster.local]
              addresses: [10.0.0.44]
              location: MESH_INTERNAL
              resolution: STATIC
              ports: [{number: 8443, name: https, protocol: HTTPS}]
              endpoints: [{address: 10.1.0.44}]
            """);
        var listener = ListenerOf(Sidecar(), push, "10.0.0.44_8443");

        var chain = Assert.Single(listener.FilterChains);
        Assert.Null(chain.FilterChainMatch);
        Assert.Empty(listener.ListenerFilters);
    }
}
