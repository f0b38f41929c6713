using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Cluster.V3;
using static Weft.Control.Tests.Support.ClusterTestSupport;

namespace Weft.Control.Tests.Generators.Clusters;

/// <summary>DestinationRule <c>connectionPool</c>, <c>retryBudget</c> and HTTP/2 selection (Istio's applyConnectionPool, shouldH2Upgrade).</summary>
public sealed class ConnectionPoolTests
{
    private const string Http = "outbound|80||reviews.default.svc.cluster.local";
    private const string Grpc = "outbound|9000||reviews.default.svc.cluster.local";
    private const string Ports = "  - name: http\n    port: 80\n  - name: grpc\n    port: 9000\n  - name: tcp\n    port: 5000";

    private static Cluster With(string policy, string name = Http, MeshConfig? mesh = null) =>
        ClusterNamed(PushOf(Service("reviews", ports: Ports) + Rule("reviews", "trafficPolicy:\n" + Indent(policy)), mesh), name);

    [Fact]
    public void Limits_become_circuit_breaker_thresholds()
    {
        var cluster = With("""
            connectionPool:
              tcp:
                maxConnections: 100
                connectTimeout: 250ms
              http:
                http1MaxPendingRequests: 10
                http2MaxRequests: 1000
                maxRetries: 3
            """);

        var threshold = Assert.Single(cluster.CircuitBreakers.Thresholds);
        Assert.Equal(100u, threshold.MaxConnections);
        Assert.Equal(10u, threshold.MaxPendingRequests);
        Assert.Equal(1000u, threshold.MaxRequests);
        Assert.Equal(3u, threshold.MaxRetries);
        Assert.Equal(250_000_000, cluster.ConnectTimeout.Nanos);
    }

    [Fact]
    public void Idle_timeout_requests_per_connection_and_max_duration_go_to_common_http_options()
    {
        var options = HttpOptions(With("""
            connectionPool:
              tcp:
                maxConnectionDuration: 30m
                idleTimeout: 5m
              http:
                idleTimeout: 90s
                maxRequestsPerConnection: 50
            """))!;

        Assert.Equal(90, options.CommonHttpProtocolOptions.IdleTimeout.Seconds);
        Assert.Equal(50u, options.CommonHttpProtocolOptions.MaxRequestsPerConnection);
        Assert.Equal(1800, options.CommonHttpProtocolOptions.MaxConnectionDuration.Seconds);
        Assert.NotNull(options.ExplicitHttpConfig.HttpProtocolOptions);
    }

    [Fact]
    public void Tcp_idle_timeout_is_used_when_http_sets_none()
    {
        var options = HttpOptions(With("connectionPool:\n  tcp:\n    idleTimeout: 5m"))!;

        Assert.Equal(300, options.CommonHttpProtocolOptions.IdleTimeout.Seconds);
    }

    [Fact]
    public void Http2_settings_apply_to_http2_clusters_only()
    {
        const string policy = """
            connectionPool:
              http:
                maxConcurrentStreams: 64
                http2KeepAlive:
                  interval: 30s
                  timeout: 5s
            """;

        var h2 = HttpOptions(With(policy, Grpc))!.ExplicitHttpConfig.Http2ProtocolOptions;
        var h1 = HttpOptions(With(policy))!.ExplicitHttpConfig;

        Assert.Equal(64u, h2.MaxConcurrentStreams);
        Assert.Equal(30, h2.ConnectionKeepalive.Interval.Seconds);
        Assert.Equal(5, h2.ConnectionKeepalive.Timeout.Seconds);
        Assert.NotNull(h1.HttpProtocolOptions);
    }

    [Fact]
    public void Tcp_keepalive_from_mesh_then_rule()
    {
        var mesh = MeshConfig.Default with { TcpKeepalive = new Weft.Api.Model.Networking.TcpKeepalive { Probes = 9, Time = "7200s" } };

        var keepalive = With("connectionPool:\n  tcp:\n    tcpKeepalive:\n      time: 60s\n      interval: 10s", mesh: mesh).UpstreamConnectionOptions.TcpKeepalive;

        Assert.Equal(9u, keepalive.KeepaliveProbes);
        Assert.Equal(60u, keepalive.KeepaliveTime);
        Assert.Equal(10u, keepalive.KeepaliveInterval);
    }

    [Fact]
    public void Retry_budget_defaults_to_twenty_percent_and_three_retries()
    {
        var budget = With("retryBudget: {}").CircuitBreakers.Thresholds[0].RetryBudget;
        var custom = With("retryBudget:\n  percent: 5.5\n  minRetryConcurrency: 7").CircuitBreakers.Thresholds[0].RetryBudget;

        Assert.Equal(20.0, budget.BudgetPercent.Value);
        Assert.Equal(3u, budget.MinRetryConcurrency);
        Assert.Equal(5.5, custom.BudgetPercent.Value);
        Assert.Equal(7u, custom.MinRetryConcurrency);
    }

    [Fact]
    public void Rule_upgrade_makes_http_port_http2_and_do_not_upgrade_beats_mesh()
    {
        var upgraded = HttpOptions(With("connectionPool:\n  http:\n    h2UpgradePolicy: UPGRADE"))!;
        var kept = HttpOptions(With("connectionPool:\n  http:\n    h2UpgradePolicy: DO_NOT_UPGRADE", mesh: MeshConfig.Default with { H2Upgrade = true }));

        Assert.NotNull(upgraded.ExplicitHttpConfig.Http2ProtocolOptions);
        Assert.Null(kept);
    }

    [Fact]
    public void Use_client_protocol_follows_downstream_even_on_grpc_ports()
    {
        var options = HttpOptions(With("connectionPool:\n  http:\n    useClientProtocol: true", Grpc))!;

        Assert.NotNull(options.UseDownstreamProtocolConfig.HttpProtocolOptions);
        Assert.NotNull(options.UseDownstreamProtocolConfig.Http2ProtocolOptions);
    }

    private static string Indent(string text) => string.Join('\n', text.Split('\n').Select(l => "  " + l));
}
