using Weft.Control.Model;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>Istio's HttpConnectionManager settings for sidecar outbound, inbound and proxyless listeners.</summary>
internal static class ConnectionManagers
{
    public const string Name = "envoy.filters.network.http_connection_manager";

    /// <summary>
    /// An outbound connection manager reading its routes by RDS, with the proxy's <paramref name="headers"/>; an empty
    /// stat prefix is filled in by the listener.
    /// </summary>
    public static HttpConnectionManager Outbound(string statPrefix, string routeName, ProxyHeaders headers) => ProxyHeaderSettings.Apply(new()
    {
        StatPrefix = statPrefix,
        CodecType = HttpConnectionManager.Types.CodecType.Auto,
        Rds = new Rds { ConfigSource = Envoy.Ads(), RouteConfigName = routeName },
        HttpFilters =
        {
            HttpFilters.OutboundMetadataExchange(headers.MetadataExchangeInMeshOnly),
            HttpFilters.Alpn(),
            HttpFilters.Fault(),
            HttpFilters.Cors(),
            HttpFilters.Router(headers.EnvoyDebugHeadersDisabled),
        },
        UseRemoteAddress = false,
        NormalizePath = true,
        PathWithEscapedSlashesAction = HttpConnectionManager.Types.PathWithEscapedSlashesAction.KeepUnchanged,
        StreamIdleTimeout = Envoy.Duration(TimeSpan.Zero),
        UpgradeConfigs = { new HttpConnectionManager.Types.UpgradeConfig { UpgradeType = "websocket" } },
    }, headers, sidecarOutbound: true);

    /// <summary>What gRPC's xDS client accepts: RDS over ADS, fault then router, nothing else (no metadata exchange).</summary>
    public static HttpConnectionManager Proxyless(string routeName) => new()
    {
        Rds = new Rds { ConfigSource = new Weft.Xds.Envoy.Config.Core.V3.ConfigSource { Ads = new Weft.Xds.Envoy.Config.Core.V3.AggregatedConfigSource() }, RouteConfigName = routeName },
        HttpFilters = { HttpFilters.Fault(), HttpFilters.Router() },
    };
}
