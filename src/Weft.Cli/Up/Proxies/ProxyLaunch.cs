using System.Net;

namespace Weft.Cli.Up.Proxies;

/// <summary>
/// How to start one proxy: its node id, the control plane's xDS address and the addresses of its listeners, as the
/// <c>weft proxy</c> flags of the same names take them, and the workload's labels (<c>--label</c>).
/// </summary>
internal sealed record ProxyLaunch(
    string NodeId,
    IPEndPoint XdsAddress,
    IPEndPoint OutboundAddress,
    IPEndPoint InboundAddress,
    IPEndPoint AdminAddress,
    IPEndPoint StatsAddress,
    IPEndPoint HealthAddress)
{
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
