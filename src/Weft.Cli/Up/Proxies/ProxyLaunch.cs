using System.Net;

namespace Weft.Cli.Up.Proxies;

/// <summary>
/// How to start one proxy: its node id, the control plane's xDS address and the addresses of its listeners, as the
/// <c>weft proxy</c> flags of the same names take them.
/// </summary>
internal sealed record ProxyLaunch(
    string NodeId,
    IPEndPoint XdsAddress,
    IPEndPoint OutboundAddress,
    IPEndPoint InboundAddress,
    IPEndPoint AdminAddress,
    IPEndPoint StatsAddress,
    IPEndPoint HealthAddress);
