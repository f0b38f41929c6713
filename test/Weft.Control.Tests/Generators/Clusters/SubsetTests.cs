using Weft.Xds.Envoy.Config.Cluster.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>Port-level settings and subsets (Istio's GetPortLevelTrafficPolicy, MergeSubsetTrafficPolicy, buildSubsetCluster).</summary>
public sealed class SubsetTests
{
    private const string Ports = "  - name: http\n    port: 80\n  - name: http-admin\n    port: 9090";

    private static string Backends() =>
        Service("reviews", ports: Ports)
        + Workload("r1", "reviews", "10.2.0.1", labels: "version: v1")
        + Workload("r2", "reviews", "10.2.0.2", labels: "version: v2");

    [Fact]
    public void Port_level_settings_replace_the_whole_policy()
    {
        var push = PushOf(Backends() + Rule("reviews", """
            trafficPolicy:
              connectionPool:
                tcp:
                  maxConnections: 10
              outlierDetection:
                consecutive5xxErrors: 7
              retryBudget:
                percent: 50
              portLevelSettings:
              - port:
                  number: 9090
                loadBalancer:
                  simple: RANDOM
            """));

        var main = ClusterNamed(push, "outbound|80||reviews.default.svc.cluster.local");
        var admin = ClusterNamed(push, "outbound|9090||reviews.default.svc.cluster.local");

        Assert.Equal(10u, main.CircuitBreakers.Thresholds[0].MaxConnections);
        Assert.Equal(7u, main.OutlierDetection.Consecutive5Xx);
        Assert.NotNull(main.CircuitBreakers.Thresholds[0].RetryBudget);
        Assert.Equal(Cluster.Types.LbPolicy.Random, admin.LbPolicy);
        Assert.Equal(uint.MaxValue, admin.CircuitBreakers.Thresholds[0].MaxConnections);
        Assert.Null(admin.OutlierDetection);
        Assert.Null(admin.CircuitBreakers.Thresholds[0].RetryBudget);
    }

    [Fact]
    public void Subset_policy_replaces_the_blocks_it_sets()
    {
        var push = PushOf(Backends() + Rule("reviews", """
            trafficPolicy:
              connectionPool:
                tcp:
                  maxConnections: 10
                http:
                  http2MaxRequests: 500
              outlierDetection:
                consecutive5xxErrors: 7
            subsets:
            - name: v1
              labels:
                version: v1
              trafficPolicy:
                connectionPool:
                  http:
                    http1MaxPendingRequests: 3
                loadBalancer:
                  simple: ROUND_ROBIN
            """));

        var v1 = ClusterNamed(push, "outbound|80|v1|reviews.default.svc.cluster.local");

        var threshold = v1.CircuitBreakers.Thresholds[0];
        Assert.Equal(3u, threshold.MaxPendingRequests);
        Assert.Equal(uint.MaxValue, threshold.MaxConnections);
        Assert.Equal(uint.MaxValue, threshold.MaxRequests);
        Assert.Equal(7u, v1.OutlierDetection.Consecutive5Xx);
        Assert.Equal(Cluster.Types.LbPolicy.RoundRobin, v1.LbPolicy);
        Assert.Equal("outbound|80|v1|reviews.default.svc.cluster.local", v1.EdsClusterConfig.ServiceName);
    }

    [Fact]
    public void Subset_port_level_entry_replaces_all_four_blocks_but_keeps_retry_budget()
    {
        var push = PushOf(Backends() + Rule("reviews", """
            trafficPolicy:
              outlierDetection:
                consecutive5xxErrors: 7
              retryBudget:
                minRetryConcurrency: 9
            subsets:
            - name: v1
              labels:
                version: v1
              trafficPolicy:
                portLevelSettings:
                - port:
                    number: 80
                  loadBalancer:
                    simple: RANDOM
            """));

        var v1 = ClusterNamed(push, "outbound|80|v1|reviews.default.svc.cluster.local");

        Assert.Equal(Cluster.Types.LbPolicy.Random, v1.LbPolicy);
        Assert.Null(v1.OutlierDetection);
        Assert.Equal(9u, v1.CircuitBreakers.Thresholds[0].RetryBudget.MinRetryConcurrency);
    }

    [Fact]
    public void Passthrough_subset_connects_to_original_destination()
    {
        var push = PushOf(Backends() + Rule("reviews", "subsets:\n- name: direct\n  labels:\n    version: v1\n  trafficPolicy:\n    loadBalancer:\n      simple: PASSTHROUGH"));

        var direct = ClusterNamed(push, "outbound|80|direct|reviews.default.svc.cluster.local");

        Assert.Equal(Cluster.Types.DiscoveryType.OriginalDst, direct.Type);
        Assert.Equal(Cluster.Types.LbPolicy.ClusterProvided, direct.LbPolicy);
        Assert.Null(direct.EdsClusterConfig);
    }

    [Fact]
    public void Eds_subset_assignment_holds_the_subset_endpoints()
    {
        var push = PushOf(Backends() + Rule("reviews", "subsets:\n- name: v2\n  labels:\n    version: v2"));

        var assignment = Assignment(push, "outbound|80|v2|reviews.default.svc.cluster.local");

        var endpoint = Assert.Single(Assert.Single(assignment.Endpoints).LbEndpoints);
        Assert.Equal("10.2.0.2", endpoint.Endpoint.Address.SocketAddress.Address);
    }

    [Fact]
    public void Dns_subsets_inline_their_endpoints_and_empty_ones_are_left_out()
    {
        var push = PushOf("""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: db
              namespace: default
            spec:
              hosts: [db.example.com]
              location: MESH_EXTERNAL
              resolution: DNS
              ports:
              - number: 5432
                name: tcp
                protocol: TCP
              endpoints:
              - address: primary.db.example.com
                labels:
                  role: primary
              - address: replica.db.example.com
                labels:
                  role: replica
            ---
            """ + "\n" + Rule("db.example.com", "subsets:\n- name: primary\n  labels:\n    role: primary\n- name: none\n  labels:\n    role: missing"));

        var names = AllClusters(push).Select(c => c.Name).ToArray();
        var primary = ClusterNamed(push, "outbound|5432|primary|db.example.com");

        Assert.Contains("outbound|5432||db.example.com", names);
        Assert.DoesNotContain("outbound|5432|none|db.example.com", names);
        Assert.Equal(Cluster.Types.DiscoveryType.StrictDns, primary.Type);
        Assert.Equal("outbound|5432|primary|db.example.com", primary.LoadAssignment.ClusterName);
        Assert.Equal("primary.db.example.com", Assert.Single(primary.LoadAssignment.Endpoints[0].LbEndpoints).Endpoint.Address.SocketAddress.Address);
    }
}
