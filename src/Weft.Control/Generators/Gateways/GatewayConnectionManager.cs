using Weft.Control.Generators.Listeners;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// A gateway's HTTP connection manager (Istio's buildGatewayConnectionManager): routes by RDS, the client address
/// taken from the connection (use_remote_address, no trusted hops), client certificate details sanitised and set.
/// </summary>
internal static class GatewayConnectionManager
{
    /// <summary>
    /// An empty <paramref name="statPrefix"/> is filled in from the listener name. Of the gateway's
    /// <paramref name="headers"/>, the client certificate settings do not apply: Istio takes a gateway's from
    /// <c>gatewayTopology</c>, and its peer metadata filter sends to every upstream whatever the exchange mode.
    /// </summary>
    public static HttpConnectionManager Build(string routeName, string statPrefix, ProxyHeaders headers) => ProxyHeaderSettings.Apply(new()
    {
        StatPrefix = statPrefix,
        CodecType = HttpConnectionManager.Types.CodecType.Auto,
        Rds = new Rds { ConfigSource = Envoy.Ads(), RouteConfigName = routeName },
        HttpFilters =
        {
            HttpFilters.OutboundMetadataExchange(),
            HttpFilters.Alpn(),
            HttpFilters.Fault(),
            HttpFilters.Cors(),
            HttpFilters.Router(headers.EnvoyDebugHeadersDisabled),
        },
        UseRemoteAddress = true,
        XffNumTrustedHops = 0,
        ForwardClientCertDetails = HttpConnectionManager.Types.ForwardClientCertDetails.SanitizeSet,
        SetCurrentClientCertDetails = new HttpConnectionManager.Types.SetCurrentClientCertDetails { Subject = true, Cert = true, Dns = true, Uri = true },
        HttpProtocolOptions = new Http1ProtocolOptions(),
        NormalizePath = true,
        PathWithEscapedSlashesAction = HttpConnectionManager.Types.PathWithEscapedSlashesAction.KeepUnchanged,
        UpgradeConfigs = { new HttpConnectionManager.Types.UpgradeConfig { UpgradeType = "websocket" } },
    }, headers, sidecarOutbound: false);
}
