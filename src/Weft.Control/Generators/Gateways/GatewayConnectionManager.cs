using Weft.Control.Generators.Listeners;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// A gateway's HTTP connection manager (Istio's buildGatewayConnectionManager): routes by RDS, the client address
/// taken from the connection (use_remote_address, no trusted hops), client certificate details sanitised and set.
/// </summary>
internal static class GatewayConnectionManager
{
    /// <summary>An empty <paramref name="statPrefix"/> is filled in from the listener name.</summary>
    public static HttpConnectionManager Build(string routeName, string statPrefix) => new()
    {
        StatPrefix = statPrefix,
        CodecType = HttpConnectionManager.Types.CodecType.Auto,
        Rds = new Rds { ConfigSource = Envoy.Ads(), RouteConfigName = routeName },
        HttpFilters = { HttpFilters.OutboundMetadataExchange(), HttpFilters.Alpn(), HttpFilters.Fault(), HttpFilters.Cors(), HttpFilters.Router() },
        UseRemoteAddress = true,
        XffNumTrustedHops = 0,
        ForwardClientCertDetails = HttpConnectionManager.Types.ForwardClientCertDetails.SanitizeSet,
        SetCurrentClientCertDetails = new HttpConnectionManager.Types.SetCurrentClientCertDetails { Subject = true, Cert = true, Dns = true, Uri = true },
        ServerName = ConnectionManagers.InboundServerName,
        HttpProtocolOptions = new Http1ProtocolOptions(),
        NormalizePath = true,
        PathWithEscapedSlashesAction = HttpConnectionManager.Types.PathWithEscapedSlashesAction.KeepUnchanged,
        UpgradeConfigs = { new HttpConnectionManager.Types.UpgradeConfig { UpgradeType = "websocket" } },
    };
}
