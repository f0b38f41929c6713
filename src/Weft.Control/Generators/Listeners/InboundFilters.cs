using Weft.Control.Generators.Authorization;
using Weft.Control.Model;
using Weft.Control.Registry;
using Weft.Xds;
using Http2ProtocolOptions = Weft.Xds.Envoy.Config.Core.V3.Http2ProtocolOptions;
using Weft.Xds.Envoy.Config.Listener.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The filters of inbound chains: Istio's metadata exchange first, then for HTTP a connection manager with an inline
/// route configuration named after the cluster, one virtual host <c>inbound|http|PORT</c> for any domain and a
/// <c>default</c> route to the cluster with no timeout; for TCP a tcp_proxy to the cluster.
/// </summary>
internal static class InboundFilters
{
    /// <summary>
    /// What Istio (1.24 and later) retries on the inbound path by default: requests reset before reaching the
    /// application, which it never saw, so even non-idempotent ones are safe to send again.
    /// </summary>
    public const string DefaultRetryOn = "reset-before-request";

    /// <summary>
    /// Istio's TCP metadata exchange, the first network filter of every inbound chain (and of a gateway's ISTIO_MUTUAL
    /// TCP chains): when the client's TLS offered <see cref="MetadataExchangeFilters.Protocol"/>, it trades workload
    /// metadata with the client's proxy, whose cluster runs the other end, before authorization or the proxying filter
    /// see the connection.
    /// </summary>
    public static Filter MetadataExchange() => new() { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.Tcp() };

    public static Filter Tcp(InboundChainConfig config) => TcpProxies.ToCluster(config.Cluster);

    /// <summary>
    /// The connection manager, with the proxy's <paramref name="headers"/>; the metadata exchange goes first, then the
    /// workload's authorization filters, then fault, CORS and the router.
    /// </summary>
    public static Filter Http(InboundChainConfig config, AuthorizationFilters authorization, ProxyHeaders headers)
    {
        var manager = new HttpConnectionManager
        {
            StatPrefix = config.StatPrefix,
            CodecType = HttpConnectionManager.Types.CodecType.Auto,
            RouteConfig = RouteConfiguration(config),
            ForwardClientCertDetails = ProxyHeaderSettings.ForwardClientCert(headers),
            SetCurrentClientCertDetails = ProxyHeaderSettings.ClientCertDetails(headers),
            UseRemoteAddress = false,
            NormalizePath = true,
            PathWithEscapedSlashesAction = HttpConnectionManager.Types.PathWithEscapedSlashesAction.KeepUnchanged,
            UpgradeConfigs = { new HttpConnectionManager.Types.UpgradeConfig { UpgradeType = "websocket" } },
        };
        ProxyHeaderSettings.Apply(manager, headers, sidecarOutbound: false);
        manager.HttpFilters.Add(HttpFilters.InboundMetadataExchange());
        manager.HttpFilters.AddRange(authorization.Http);
        manager.HttpFilters.Add(HttpFilters.Fault());
        manager.HttpFilters.Add(HttpFilters.Cors());
        manager.HttpFilters.Add(HttpFilters.Router(headers.EnvoyDebugHeadersDisabled));
        if (config.Port.Protocol is Protocol.Http2 or Protocol.Grpc or Protocol.GrpcWeb)
        {
            manager.Http2ProtocolOptions = new Http2ProtocolOptions();
        }

        return Envoy.NetworkFilter(ConnectionManagers.Name, manager);
    }

    private static RouteConfiguration RouteConfiguration(InboundChainConfig config)
    {
        var action = new RouteAction
        {
            Cluster = config.Cluster,
            Timeout = Envoy.Duration(TimeSpan.Zero),
            MaxStreamDuration = new RouteAction.Types.MaxStreamDuration
            {
                MaxStreamDuration_ = Envoy.Duration(TimeSpan.Zero),
                GrpcTimeoutHeaderMax = Envoy.Duration(TimeSpan.Zero),
            },
        };

        // Retrying a reset breaks gRPC streams, so gRPC ports get no inbound retries.
        if (config.Port.Protocol is not (Protocol.Grpc or Protocol.GrpcWeb))
        {
            action.RetryPolicy = new RetryPolicy { RetryOn = DefaultRetryOn, NumRetries = 2 };
        }

        return new RouteConfiguration
        {
            Name = config.Cluster,
            ValidateClusters = false,
            VirtualHosts =
            {
                new VirtualHost
                {
                    Name = ResourceNames.InboundHttpVirtualHost(config.Port.Number),
                    Domains = { "*" },
                    Routes =
                    {
                        new Route
                        {
                            Name = ResourceNames.DefaultRoute,
                            Match = new RouteMatch { Prefix = "/" },
                            Route_ = action,
                            Decorator = new Decorator { Operation = config.TraceOperation },
                        },
                    },
                },
            },
        };
    }
}
