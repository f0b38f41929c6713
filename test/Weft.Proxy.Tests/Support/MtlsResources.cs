using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Endpoint.V3;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Rbac.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.RawBuffer.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Extensions.Upstreams.Http.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;
using Filter = Weft.Xds.Envoy.Config.Listener.V3.Filter;
using HttpRbac = Weft.Xds.Envoy.Extensions.Filters.Http.Rbac.V3.RBAC;
using HttpProtocolOptions = Weft.Xds.Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// Istio's mTLS resources, built by hand in the shapes notes sections 5 and 6 describe: the server sidecar's
/// <c>virtualInbound</c> with a STRICT chain for the workload port (<c>transport_protocol: tls</c>, a DownstreamTlsContext
/// requiring a client certificate, SDS <c>default</c> + <c>ROOTCA</c>, XFCC APPEND_FORWARD with subject, URI and DNS)
/// in front of <c>inbound|PORT||</c>; and the client sidecar's outbound cluster with auto-mTLS transport socket matches
/// (<c>tlsMode-istio</c> → Istio mTLS with SNI <c>outbound_.PORT_._.HOST</c>, Istio's ALPN and the expected SPIFFE ids;
/// <c>tlsMode-disabled</c> → plaintext).
/// </summary>
internal static class MtlsResources
{
    public const int WorkloadPort = 9080;
    public const string ServiceHost = "server.default.svc.cluster.local";
    public const string OutboundCluster = "outbound|9080||server.default.svc.cluster.local";
    public const string InboundCluster = "inbound|9080||";

    public static SdsSecretConfig Sds(string name) => new()
    {
        Name = name,
        SdsConfig = new ConfigSource
        {
            ApiConfigSource = new ApiConfigSource
            {
                ApiType = ApiConfigSource.Types.ApiType.Grpc,
                TransportApiVersion = ApiVersion.V3,
                GrpcServices = { new GrpcService { EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = "sds-grpc" } } },
            },
            ResourceApiVersion = ApiVersion.V3,
        },
    };

    public static TlsParameters Tls12To13() => new()
    {
        TlsMinimumProtocolVersion = TlsParameters.Types.TlsProtocol.Tlsv12,
        TlsMaximumProtocolVersion = TlsParameters.Types.TlsProtocol.Tlsv13,
    };

    /// <summary>Istio's server TLS: client certificate required, the workload's certificate, verified against ROOTCA.</summary>
    public static DownstreamTlsContext ServerTls(bool tcp) => new()
    {
        RequireClientCertificate = true,
        CommonTlsContext = new CommonTlsContext
        {
            TlsParams = Tls12To13(),
            TlsCertificateSdsSecretConfigs = { Sds("default") },
            CombinedValidationContext = new CommonTlsContext.Types.CombinedCertificateValidationContext
            {
                DefaultValidationContext = new CertificateValidationContext(),
                ValidationContextSdsSecretConfig = Sds("ROOTCA"),
            },
            AlpnProtocols = { tcp ? new[] { "istio-peer-exchange", "h2", "http/1.1" } : new[] { "h2", "http/1.1" } },
        },
    };

    /// <summary>
    /// The server sidecar's virtualInbound (STRICT): one chain for the workload port taking TLS only, HTTP or TCP, with an
    /// optional RBAC filter allowing only the given principals; and <c>inbound|9080||</c> to the local backend.
    /// </summary>
    public static IEnumerable<IMessage> ServerInbound(int backendPort, bool tcp, params string[] allowedPrincipals) => ServerInbound(backendPort, tcp, exchange: false, allowedPrincipals);

    /// <param name="exchange">Put Istio's TCP metadata exchange filter first on the chain, as istiod does on inbound chains.</param>
    public static IEnumerable<IMessage> ServerInbound(int backendPort, bool tcp, bool exchange, params string[] allowedPrincipals)
    {
        var chain = new FilterChain
        {
            Name = "0.0.0.0_9080",
            FilterChainMatch = new FilterChainMatch { DestinationPort = WorkloadPort, TransportProtocol = "tls" },
            TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(ServerTls(tcp)) },
        };
        if (exchange)
        {
            chain.Filters.Add(new Filter { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.Tcp() });
        }

        if (tcp)
        {
            if (allowedPrincipals.Length > 0)
            {
                chain.Filters.Add(new Filter { Name = "envoy.filters.network.rbac", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Network.Rbac.V3.RBAC { StatPrefix = "tcp.", Rules = Allow(allowedPrincipals) }) });
            }

            chain.Filters.Add(XdsResources.IstioStats(inbound: true));
            chain.Filters.Add(XdsResources.TcpProxyFilter(XdsResources.ToCluster(InboundCluster)));
        }
        else
        {
            var hcm = new HttpConnectionManager
            {
                StatPrefix = "inbound_0.0.0.0_9080",
                ServerName = "istio-envoy",
                ForwardClientCertDetails = HttpConnectionManager.Types.ForwardClientCertDetails.AppendForward,
                SetCurrentClientCertDetails = new HttpConnectionManager.Types.SetCurrentClientCertDetails { Subject = true, Dns = true, Uri = true },
                RouteConfig = new RouteConfiguration
                {
                    Name = InboundCluster,
                    VirtualHosts =
                    {
                        new VirtualHost
                        {
                            Name = "inbound|http|9080",
                            Domains = { "*" },
                            Routes = { new Route { Name = "default", Match = new RouteMatch { Prefix = "/" }, Route_ = new RouteAction { Cluster = InboundCluster, Timeout = new Duration() } } },
                        },
                    },
                },
            };
            if (allowedPrincipals.Length > 0)
            {
                hcm.HttpFilters.Add(new HttpFilter { Name = "envoy.filters.http.rbac", TypedConfig = Any.Pack(new HttpRbac { Rules = Allow(allowedPrincipals) }) });
            }

            hcm.HttpFilters.Add(XdsResources.IstioStatsHttp(inbound: true));
            hcm.HttpFilters.Add(new HttpFilter { Name = "envoy.filters.http.router", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3.Router()) });
            chain.Filters.Add(XdsResources.ConnectionManagerFilter(hcm));
        }

        var listener = new Listener
        {
            Name = "virtualInbound",
            Address = XdsResources.Address("0.0.0.0", 15006),
            TrafficDirection = TrafficDirection.Inbound,
            ListenerFilters =
            {
                new ListenerFilter { Name = "envoy.filters.listener.tls_inspector", TypedConfig = Any.Pack(new Weft.Xds.Envoy.Extensions.Filters.Listener.TlsInspector.V3.TlsInspector()) },
            },
            FilterChains = { chain },
        };
        return [listener, XdsResources.StaticCluster(InboundCluster, ("127.0.0.1", backendPort))];
    }

    /// <summary>
    /// The client sidecar: an outbound HTTP listener on 9080 routing everything to the server's cluster, or (TCP) a TCP
    /// listener on 9080 proxying to it; the cluster with Istio's auto-mTLS matches, and its endpoint (the server proxy's
    /// inbound listener) labelled <c>tlsMode: istio</c>.
    /// </summary>
    /// <param name="exchange">Give the outbound cluster Istio's TCP metadata exchange as an upstream filter, as istiod does.</param>
    public static IEnumerable<IMessage> ClientOutbound(int serverInboundPort, bool tcp = false, bool h2 = false, string expectedServer = MeshCa.ServerId, bool mtls = true, HttpFilter? httpFilter = null, bool exchange = false)
    {
        var cluster = XdsResources.EdsCluster(OutboundCluster);
        if (exchange)
        {
            cluster.Filters.Add(new Weft.Xds.Envoy.Config.Cluster.V3.Filter { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.Tcp() });
        }

        var upstream = new UpstreamTlsContext
        {
            Sni = $"outbound_.{WorkloadPort}_._.{ServiceHost}",
            CommonTlsContext = new CommonTlsContext
            {
                TlsParams = Tls12To13(),
                TlsCertificateSdsSecretConfigs = { Sds("default") },
                CombinedValidationContext = new CommonTlsContext.Types.CombinedCertificateValidationContext
                {
                    DefaultValidationContext = new CertificateValidationContext { MatchSubjectAltNames = { new StringMatcher { Exact = expectedServer } } },
                    ValidationContextSdsSecretConfig = Sds("ROOTCA"),
                },
                AlpnProtocols = { h2 ? new[] { "istio-peer-exchange", "istio", "h2" } : new[] { "istio-peer-exchange", "istio" } },
            },
        };
        cluster.TransportSocketMatches.Add(new Cluster.Types.TransportSocketMatch
        {
            Name = "tlsMode-istio",
            Match = new Struct { Fields = { ["tlsMode"] = Value.ForString("istio") } },
            TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.tls", TypedConfig = Any.Pack(upstream) },
        });
        cluster.TransportSocketMatches.Add(new Cluster.Types.TransportSocketMatch
        {
            Name = "tlsMode-disabled",
            Match = new Struct(),
            TransportSocket = new TransportSocket { Name = "envoy.transport_sockets.raw_buffer", TypedConfig = Any.Pack(new RawBuffer()) },
        });
        if (h2)
        {
            cluster.TypedExtensionProtocolOptions["envoy.extensions.upstreams.http.v3.HttpProtocolOptions"] = Any.Pack(new HttpProtocolOptions
            {
                ExplicitHttpConfig = new HttpProtocolOptions.Types.ExplicitHttpConfig { Http2ProtocolOptions = new Http2ProtocolOptions() },
            });
        }

        var assignment = XdsResources.Assignment(OutboundCluster, ("127.0.0.1", serverInboundPort));
        if (mtls)
        {
            var metadata = new Metadata();
            metadata.FilterMetadata["envoy.transport_socket_match"] = new Struct { Fields = { ["tlsMode"] = Value.ForString("istio") } };
            assignment.Endpoints[0].LbEndpoints[0].Metadata = metadata;
        }

        IMessage listener = tcp
            ? XdsResources.TcpListener("0.0.0.0", WorkloadPort, XdsResources.ToCluster(OutboundCluster))
            : httpFilter is null ? XdsResources.HttpListener(WorkloadPort) : XdsResources.HttpListener(WorkloadPort, httpFilter);
        var resources = new List<IMessage> { listener, cluster, assignment };
        if (!tcp)
        {
            resources.Add(XdsResources.Routes(WorkloadPort.ToString(System.Globalization.CultureInfo.InvariantCulture), ("*", OutboundCluster)));
        }

        return resources;
    }

    /// <summary>Istio's <c>istio.alpn</c> filter as its outbound connection managers carry it.</summary>
    public static HttpFilter IstioAlpnFilter()
    {
        var config = new Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig();
        foreach (var (protocol, alpn) in new[]
        {
            (Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig.Types.Protocol.Http10, new[] { "istio-http/1.0", "istio", "http/1.0" }),
            (Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig.Types.Protocol.Http11, new[] { "istio-http/1.1", "istio", "http/1.1" }),
            (Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig.Types.Protocol.Http2, new[] { "istio-h2", "istio", "h2" }),
        })
        {
            config.AlpnOverride.Add(new Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1.FilterConfig.Types.AlpnOverride { UpstreamProtocol = protocol, AlpnOverride_ = { alpn } });
        }

        return new HttpFilter { Name = "istio.alpn", TypedConfig = Any.Pack(config) };
    }

    /// <summary>
    /// The server sidecar's virtualInbound for a port whose protocol is sniffed (Istio's auto port, STRICT): TLS offering
    /// Istio's HTTP ALPN (<c>istio-http/1.0</c>, <c>istio-http/1.1</c>, <c>istio-h2</c>) goes to the HTTP chain in front of
    /// the backend, TLS offering <c>istio-peer-exchange</c> or <c>istio</c> to a TCP chain to <paramref name="tcpPort"/>.
    /// </summary>
    public static IEnumerable<IMessage> ServerInboundSniffed(int backendPort, int tcpPort)
    {
        var http = ServerInbound(backendPort, tcp: false).ToList();
        var tcp = ServerInbound(tcpPort, tcp: true).ToList();
        var listener = (Listener)http[0];
        var httpChain = listener.FilterChains[0];
        httpChain.Name = "0.0.0.0_9080_http";
        httpChain.FilterChainMatch.ApplicationProtocols.Add(new[] { "istio-http/1.0", "istio-http/1.1", "istio-h2" });
        var tcpChain = ((Listener)tcp[0]).FilterChains[0];
        tcpChain.Name = "0.0.0.0_9080_tcp";
        tcpChain.FilterChainMatch.ApplicationProtocols.Add(new[] { "istio-peer-exchange", "istio" });
        tcpChain.Filters[^1] = XdsResources.TcpProxyFilter(XdsResources.ToCluster("inbound|9080|tcp|"));
        listener.FilterChains.Add(tcpChain);
        return [listener, http[1], XdsResources.StaticCluster("inbound|9080|tcp|", ("127.0.0.1", tcpPort))];
    }

    private static RBAC Allow(string[] principals)
    {
        var policy = new Policy { Permissions = { new Permission { Any = true } } };
        foreach (var principal in principals)
        {
            policy.Principals.Add(new Principal { Authenticated = new Principal.Types.Authenticated { PrincipalName = new StringMatcher { Exact = principal } } });
        }

        return new RBAC { Action = RBAC.Types.Action.Allow, Policies = { ["ns[default]-policy[allow]-rule[0]"] = policy } };
    }
}
