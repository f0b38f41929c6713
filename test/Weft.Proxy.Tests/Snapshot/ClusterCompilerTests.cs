using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot.Clusters;
using Weft.Proxy.Tests.Support;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Upstreams.Http.V3;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Proxy.Tests.Snapshot;

public sealed class ClusterCompilerTests
{
    [Fact]
    public void Compiles_every_cluster_the_control_plane_sends_for_the_canary()
    {
        var clusters = Golden.Load("canary.sidecar").OfType<Cluster>().Concat(Golden.Load("canary.workload-entry-v1").OfType<Cluster>())
            .DistinctBy(c => c.Name).Select(ClusterCompiler.Compile).ToDictionary(c => c.Name);

        var v1 = clusters["outbound|8080|v1|product-catalog.default.svc.cluster.local"];
        Assert.Equal(DiscoveryKind.Eds, v1.Kind);
        Assert.Equal("outbound|8080|v1|product-catalog.default.svc.cluster.local", v1.EdsServiceName);
        Assert.Equal(TimeSpan.FromSeconds(10), v1.Connection.ConnectTimeout);
        Assert.Equal(UpstreamProtocol.Http1, v1.Connection.Protocol);
        Assert.Null(v1.Unsupported);
        Assert.Equal(["tlsMode-istio", "tlsMode-disabled"], v1.Connection.Transport.Matches.Select(m => m.Name));
        var mtls = v1.Connection.Transport.Matches[0].Tls!;
        Assert.Equal("outbound_.8080_.v1_.product-catalog.default.svc.cluster.local", mtls.Sni);
        Assert.Equal("default", mtls.Certificate!.SecretName);
        Assert.Equal("ROOTCA", mtls.Trust.SecretName);
        Assert.Null(v1.Connection.Transport.Matches[1].Tls);

        var passthrough = clusters["PassthroughCluster"];
        Assert.Equal(DiscoveryKind.OriginalDst, passthrough.Kind);
        Assert.Equal(UpstreamProtocol.Downstream, passthrough.Connection.Protocol);
        Assert.Equal(TimeSpan.FromMinutes(5), passthrough.Connection.IdleTimeout);

        var inbound = clusters["inbound|18081||"];
        Assert.Equal(DiscoveryKind.OriginalDst, inbound.Kind);
        Assert.Equal("127.0.0.6", inbound.Connection.SourceAddress?.ToString());

        Assert.Equal(DiscoveryKind.Static, clusters["BlackHoleCluster"].Kind);
        Assert.Empty(clusters["BlackHoleCluster"].Inline.Hosts);
    }

    [Fact]
    public void Istios_upstream_metadata_exchange_filter_gives_the_cluster_its_protocol()
    {
        var cluster = XdsResources.EdsCluster("outbound|9080||reviews.default.svc.cluster.local");
        Assert.Null(ClusterCompiler.Compile(cluster).PeerExchange);
        cluster.Filters.Add(new Weft.Xds.Envoy.Config.Cluster.V3.Filter { Name = Weft.Xds.MetadataExchangeFilters.FilterName, TypedConfig = Weft.Xds.MetadataExchangeFilters.Tcp() });
        Assert.Equal("istio-peer-exchange", ClusterCompiler.Compile(cluster).PeerExchange);
    }

    [Fact]
    public void Http2_protocol_options_make_an_h2c_cluster()
    {
        var cluster = XdsResources.EdsCluster("grpc");
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions() },
        });
        Assert.Equal(UpstreamProtocol.Http2, ClusterCompiler.Compile(cluster).Connection.Protocol);
    }

    [Fact]
    public void Http2_stream_limit_and_keepalive_are_kept_as_the_client_can_apply_them()
    {
        var cluster = XdsResources.EdsCluster("grpc");
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            UseDownstreamProtocolConfig = new HttpProtocolOptions.Types.UseDownstreamHttpConfig
            {
                Http2ProtocolOptions = new Http2ProtocolOptions
                {
                    MaxConcurrentStreams = 8,
                    ConnectionKeepalive = new KeepaliveSettings { Interval = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(300)), Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)) },
                },
            },
        });

        // The HTTP client pings at most once a second.
        Assert.Equal(new Http2Settings(8, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), ClusterCompiler.Compile(cluster).Connection.Http2);

        // Envoy's default limit (2^31-1) is none of its own; no keepalive, no pings.
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions { MaxConcurrentStreams = int.MaxValue } },
        });
        Assert.Equal(Http2Settings.Default, ClusterCompiler.Compile(cluster).Connection.Http2);
    }

    [Theory]
    [InlineData("original-dst-round-robin", "an ORIGINAL_DST cluster needs lb_policy CLUSTER_PROVIDED")]
    [InlineData("cluster-provided-static", "lb_policy CLUSTER_PROVIDED is only for ORIGINAL_DST clusters")]
    [InlineData("static-hostname", "is not an IP address")]
    [InlineData("eds-without-config", "an EDS cluster needs eds_cluster_config.eds_config")]
    [InlineData("logical-dns-two", "a LOGICAL_DNS cluster needs exactly one endpoint")]
    [InlineData("custom", "the custom cluster type envoy.clusters.aggregate is not supported")]
    public void Clusters_Envoy_refuses_are_refused(string what, string reason)
    {
        var cluster = what switch
        {
            "original-dst-round-robin" => new Cluster { Name = "c", Type = Cluster.Types.DiscoveryType.OriginalDst },
            "cluster-provided-static" => new Cluster { Name = "c", Type = Cluster.Types.DiscoveryType.Static, LbPolicy = Cluster.Types.LbPolicy.ClusterProvided },
            "static-hostname" => XdsResources.StaticCluster("c", ("example.com", 80)),
            "eds-without-config" => new Cluster { Name = "c", Type = Cluster.Types.DiscoveryType.Eds },
            "logical-dns-two" => WithType(XdsResources.StaticCluster("c", ("a.example", 80), ("b.example", 80)), Cluster.Types.DiscoveryType.LogicalDns),
            _ => new Cluster { Name = "c", ClusterType = new Cluster.Types.CustomClusterType { Name = "envoy.clusters.aggregate" } },
        };
        var e = Assert.Throws<XdsRejectedException>(() => ClusterCompiler.Compile(cluster));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Dns_clusters_keep_host_names_for_the_connection_to_resolve()
    {
        var cluster = WithType(XdsResources.StaticCluster("c", ("api.example.com", 443)), Cluster.Types.DiscoveryType.StrictDns);
        var model = ClusterCompiler.Compile(cluster);
        Assert.Equal("api.example.com:443", Assert.Single(model.Inline.Hosts).Authority);
    }

    [Fact]
    public void An_upstream_tls_context_compiles_its_sni_alpn_secrets_and_san_matchers()
    {
        var cluster = XdsResources.EdsCluster("https");
        var context = new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.UpstreamTlsContext
        {
            Sni = "api.example.com",
            CommonTlsContext = new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.CommonTlsContext
            {
                AlpnProtocols = { "h2" },
                TlsCertificateSdsSecretConfigs = { new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.SdsSecretConfig { Name = "file-cert:/c.pem~/k.pem" } },
                ValidationContext = new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.CertificateValidationContext
                {
                    TrustedCa = new DataSource { Filename = "/ca.pem" },
                    MatchTypedSubjectAltNames =
                    {
                        new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.SubjectAltNameMatcher
                        {
                            SanType = Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.SubjectAltNameMatcher.Types.SanType.Uri,
                            Matcher = new Weft.Xds.Envoy.Type.Matcher.V3.StringMatcher { Prefix = "spiffe://cluster.local/ns/prod/" },
                        },
                    },
                },
            },
        };
        cluster.TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(context) };
        var model = ClusterCompiler.Compile(cluster);
        Assert.Null(model.Unsupported);
        var tls = model.Connection.Transport.Default!;
        Assert.Equal("api.example.com", tls.Sni);
        Assert.Equal(["h2"], tls.Alpn.Select(a => a.ToString()));
        Assert.Equal("file-cert:/c.pem~/k.pem", tls.Certificate!.SecretName);
        Assert.Equal("file-root:/ca.pem", tls.Trust.SecretName);
        Assert.Equal(Weft.Proxy.Tls.SanKind.Uri, Assert.Single(tls.SubjectAltNames).Kind);

        // Recompiled from an equal resource, the connection settings are equal (the pool is kept); a changed SNI is not.
        Assert.Equal(model.Connection, ClusterCompiler.Compile(cluster.Clone()).Connection);
        var changed = cluster.Clone();
        context.Sni = "other.example.com";
        changed.TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(context) };
        Assert.NotEqual(model.Connection, ClusterCompiler.Compile(changed).Connection);
    }

    [Fact]
    public void An_unknown_transport_socket_or_an_unsupported_validator_is_refused_with_the_reason()
    {
        var cluster = XdsResources.EdsCluster("odd");
        cluster.TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.alts", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Config.Core.V3.Locality()) };
        Assert.Contains("transport socket envoy.transport_sockets.alts", Assert.Throws<Weft.Proxy.Xds.XdsRejectedException>(() => ClusterCompiler.Compile(cluster)).Message, StringComparison.Ordinal);

        var spki = new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.UpstreamTlsContext
        {
            CommonTlsContext = new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.CommonTlsContext
            {
                ValidationContext = new Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3.CertificateValidationContext { VerifyCertificateSpki = { "abc" } },
            },
        };
        cluster.TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(spki) };
        Assert.Contains("verify_certificate_spki", Assert.Throws<Weft.Proxy.Xds.XdsRejectedException>(() => ClusterCompiler.Compile(cluster)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Endpoint_weights_and_priorities()
    {
        var assignment = XdsResources.Assignment("c", ("10.0.0.1", 80), ("10.0.0.2", 80));
        assignment.Endpoints[0].LbEndpoints[1].LoadBalancingWeight = 3;
        var failover = XdsResources.Assignment("c", ("10.0.1.1", 80)).Endpoints[0];
        failover.Priority = 2;
        assignment.Endpoints.Add(failover);
        var compiled = LoadAssignmentCompiler.Compile(assignment, namesAllowed: false);
        Assert.Equal(3, compiled.Priorities.Count); // 0, an empty 1, and 2
        Assert.Empty(compiled.Priorities[1]);
        Assert.Equal([1u, 3u], compiled.Priorities[0][0].Hosts.Select(h => h.Weight));

        assignment.Endpoints[0].LbEndpoints[0].LoadBalancingWeight = 0;
        Assert.Contains("load_balancing_weight 0", Assert.Throws<XdsRejectedException>(() => LoadAssignmentCompiler.Compile(assignment, false)).Message);
    }

    [Fact]
    public void A_cluster_without_settings_gets_Envoys_defaults()
    {
        var model = ClusterCompiler.Compile(XdsResources.EdsCluster("c"));
        Assert.Equal(BalancerKind.RoundRobin, model.Balancer.Kind);
        Assert.Equal(CircuitBreakerLimits.Default, model.Limits); // 1024 connections, pending and requests; 3 retries
        Assert.Null(model.Outlier);
        Assert.Equal(0u, model.Connection.MaxRequestsPerConnection);
    }

    [Fact]
    public void Istios_destination_rule_settings_come_through()
    {
        // What Istio writes for loadBalancer.consistentHash.maglev, a connectionPool and an outlierDetection.
        var cluster = XdsResources.EdsCluster("c");
        cluster.LbPolicy = Cluster.Types.LbPolicy.Maglev;
        cluster.MaglevLbConfig = new Cluster.Types.MaglevLbConfig { TableSize = 1031 };
        cluster.CircuitBreakers = new CircuitBreakers
        {
            Thresholds = { new CircuitBreakers.Types.Thresholds { MaxConnections = 10, MaxPendingRequests = 5, MaxRequests = uint.MaxValue, MaxRetries = uint.MaxValue, TrackRemaining = true } },
        };
        cluster.OutlierDetection = new OutlierDetection
        {
            Consecutive5Xx = 7,
            EnforcingConsecutive5Xx = 100,
            EnforcingSuccessRate = 0,
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(5)),
            BaseEjectionTime = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)),
            MaxEjectionPercent = 50,
        };
        cluster.CommonLbConfig = new Cluster.Types.CommonLbConfig { HealthyPanicThreshold = new Weft.Xds.Envoy.Type.V3.Percent { Value = 0 } };
        cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
        {
            CommonHttpProtocolOptions = new Weft.Xds.Envoy.Config.Core.V3.HttpProtocolOptions
            {
                MaxRequestsPerConnection = 1,
                IdleTimeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)),
                MaxConnectionDuration = Duration.FromTimeSpan(TimeSpan.FromMinutes(2)),
            },
            ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { HttpProtocolOptions = new Http1ProtocolOptions() },
        });

        var model = ClusterCompiler.Compile(cluster);
        Assert.Equal(new BalancerSettings { Kind = BalancerKind.Maglev, MaglevTableSize = 1031 }, model.Balancer);
        Assert.Equal(10, model.Limits.MaxConnections);
        Assert.Equal(5, model.Limits.MaxPendingRequests);
        Assert.Equal(uint.MaxValue, model.Limits.MaxRequests);
        Assert.Equal(0, model.HealthyPanicThreshold);
        var outlier = Assert.IsType<OutlierSettings>(model.Outlier);
        Assert.Equal(7, outlier.Consecutive5xx);
        Assert.Equal(0, outlier.EnforcingSuccessRate);
        Assert.Equal(TimeSpan.FromSeconds(5), outlier.Interval);
        Assert.Equal(TimeSpan.FromMinutes(10), outlier.MaxEjectionTime); // unset: the base time, being above 300 s
        Assert.Equal(50, outlier.MaxEjectionPercent);
        Assert.Equal(0, outlier.EnforcingConsecutiveGatewayFailure); // Envoy's default
        Assert.Equal(1u, model.Connection.MaxRequestsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(30), model.Connection.IdleTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), model.Connection.MaxConnectionDuration);
    }

    [Fact]
    public void Ring_hash_and_least_request_settings()
    {
        var ring = XdsResources.EdsCluster("c");
        ring.LbPolicy = Cluster.Types.LbPolicy.RingHash;
        ring.RingHashLbConfig = new Cluster.Types.RingHashLbConfig { MinimumRingSize = 4096 };
        ring.CommonLbConfig = new Cluster.Types.CommonLbConfig { ConsistentHashingLbConfig = new Cluster.Types.CommonLbConfig.Types.ConsistentHashingLbConfig { UseHostnameForHashing = true } };
        Assert.Equal(new BalancerSettings { Kind = BalancerKind.RingHash, MinimumRingSize = 4096, UseHostnameForHashing = true }, ClusterCompiler.Compile(ring).Balancer);

        var least = XdsResources.EdsCluster("c");
        least.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
        least.LeastRequestLbConfig = new Cluster.Types.LeastRequestLbConfig { ChoiceCount = 3, ActiveRequestBias = new RuntimeDouble { DefaultValue = 0.5 } };
        var balancer = ClusterCompiler.Compile(least).Balancer;
        Assert.Equal(3, balancer.ChoiceCount);
        Assert.Equal(0.5, balancer.ActiveRequestBias);
    }

    [Fact]
    public void Slow_start_takes_Envoys_defaults_and_a_zero_window_turns_it_off()
    {
        // What the control plane sends for Istio's warmupDurationSecs: only the window.
        var roundRobin = XdsResources.EdsCluster("c");
        roundRobin.RoundRobinLbConfig = new Cluster.Types.RoundRobinLbConfig { SlowStartConfig = new Cluster.Types.SlowStartConfig { SlowStartWindow = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) } };
        Assert.Equal(new SlowStartSettings(TimeSpan.FromSeconds(30), 1.0, 0.1), ClusterCompiler.Compile(roundRobin).Balancer.SlowStart);

        var least = XdsResources.EdsCluster("c");
        least.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
        least.LeastRequestLbConfig = new Cluster.Types.LeastRequestLbConfig
        {
            SlowStartConfig = new Cluster.Types.SlowStartConfig
            {
                SlowStartWindow = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
                Aggression = new RuntimeDouble { DefaultValue = 2 },
                MinWeightPercent = new Weft.Xds.Envoy.Type.V3.Percent { Value = 25 },
            },
        };
        Assert.Equal(new SlowStartSettings(TimeSpan.FromSeconds(10), 2, 0.25), ClusterCompiler.Compile(least).Balancer.SlowStart);

        roundRobin.RoundRobinLbConfig.SlowStartConfig.SlowStartWindow = new Duration();
        Assert.Null(ClusterCompiler.Compile(roundRobin).Balancer.SlowStart);
    }

    [Theory]
    [InlineData("maglev-not-prime", "the Maglev table size must be a prime number, not 1000")]
    [InlineData("ring-min-above-max", "ring hash: minimum_ring_size (2048) > maximum_ring_size (1024)")]
    [InlineData("murmur", "MURMUR_HASH_2 is not supported")]
    [InlineData("bounded-load", "hash_balance_factor (bounded-load hashing) is not supported")]
    [InlineData("typed-policy", "load_balancing_policy (typed load-balancer extensions) is not supported")]
    [InlineData("wrong-config", "ring_hash_lb_config does not go with lb_policy MAGLEV")]
    [InlineData("choice-count", "choice_count must be at least 2")]
    [InlineData("slow-start-aggression", "slow_start_config.aggression must be greater than 0, not 0")]
    [InlineData("ejection-times", "max_ejection_time cannot be smaller than base_ejection_time")]
    [InlineData("ejection-percent", "max_ejection_percent is a percentage (0-100), not 150")]
    [InlineData("both-protocol-options", "cannot both be set")]
    public void Settings_this_proxy_cannot_honour_are_refused(string what, string reason)
    {
        var cluster = XdsResources.EdsCluster("c");
        switch (what)
        {
            case "maglev-not-prime":
                cluster.LbPolicy = Cluster.Types.LbPolicy.Maglev;
                cluster.MaglevLbConfig = new Cluster.Types.MaglevLbConfig { TableSize = 1000 };
                break;
            case "ring-min-above-max":
                cluster.LbPolicy = Cluster.Types.LbPolicy.RingHash;
                cluster.RingHashLbConfig = new Cluster.Types.RingHashLbConfig { MinimumRingSize = 2048, MaximumRingSize = 1024 };
                break;
            case "murmur":
                cluster.LbPolicy = Cluster.Types.LbPolicy.RingHash;
                cluster.RingHashLbConfig = new Cluster.Types.RingHashLbConfig { HashFunction = Cluster.Types.RingHashLbConfig.Types.HashFunction.MurmurHash2 };
                break;
            case "bounded-load":
                cluster.LbPolicy = Cluster.Types.LbPolicy.RingHash;
                cluster.CommonLbConfig = new Cluster.Types.CommonLbConfig { ConsistentHashingLbConfig = new Cluster.Types.CommonLbConfig.Types.ConsistentHashingLbConfig { HashBalanceFactor = 150 } };
                break;
            case "typed-policy":
                cluster.LbPolicy = Cluster.Types.LbPolicy.LoadBalancingPolicyConfig;
                break;
            case "wrong-config":
                cluster.LbPolicy = Cluster.Types.LbPolicy.Maglev;
                cluster.RingHashLbConfig = new Cluster.Types.RingHashLbConfig();
                break;
            case "choice-count":
                cluster.LbPolicy = Cluster.Types.LbPolicy.LeastRequest;
                cluster.LeastRequestLbConfig = new Cluster.Types.LeastRequestLbConfig { ChoiceCount = 1 };
                break;
            case "slow-start-aggression":
                cluster.RoundRobinLbConfig = new Cluster.Types.RoundRobinLbConfig
                {
                    SlowStartConfig = new Cluster.Types.SlowStartConfig { SlowStartWindow = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)), Aggression = new RuntimeDouble { DefaultValue = 0 } },
                };
                break;
            case "ejection-times":
                cluster.OutlierDetection = new OutlierDetection { BaseEjectionTime = Duration.FromTimeSpan(TimeSpan.FromMinutes(10)), MaxEjectionTime = Duration.FromTimeSpan(TimeSpan.FromMinutes(1)) };
                break;
            case "ejection-percent":
                cluster.OutlierDetection = new OutlierDetection { MaxEjectionPercent = 150 };
                break;
            default:
                cluster.Http2ProtocolOptions = new Http2ProtocolOptions();
                cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
                {
                    ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions() },
                });
                break;
        }

        var e = Assert.Throws<XdsRejectedException>(() => ClusterCompiler.Compile(cluster));
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void The_deprecated_protocol_fields_still_work()
    {
        var cluster = XdsResources.EdsCluster("c");
        cluster.ProtocolSelection = Cluster.Types.ClusterProtocolSelection.UseDownstreamProtocol;
        cluster.MaxRequestsPerConnection = 10;
        cluster.CommonHttpProtocolOptions = new Weft.Xds.Envoy.Config.Core.V3.HttpProtocolOptions { IdleTimeout = Duration.FromTimeSpan(TimeSpan.FromMinutes(5)) };
        var model = ClusterCompiler.Compile(cluster);
        Assert.Equal(UpstreamProtocol.Downstream, model.Connection.Protocol);
        Assert.Equal(10u, model.Connection.MaxRequestsPerConnection);
        Assert.Equal(TimeSpan.FromMinutes(5), model.Connection.IdleTimeout);
    }

    private static Cluster WithType(Cluster cluster, Cluster.Types.DiscoveryType type)
    {
        cluster.Type = type;
        return cluster;
    }
}
