using System.Net;

namespace Weft.Cli.Up.Proxies;

/// <summary>
/// How to start one proxy: its node id, the control plane's xDS address and the addresses of its listeners, as the
/// <c>weft proxy</c> flags of the same names take them, and the workload's labels (<c>--label</c>). With a
/// <see cref="Secure"/> connection it takes xDS over TLS and a workload certificate from the control plane's CA.
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

    /// <summary>xDS and the CA over TLS instead of <see cref="XdsAddress"/>; null stays on plaintext xDS without a certificate.</summary>
    public SecureXds? Secure { get; init; }
}

/// <summary>The control plane's TLS port, the root file that verifies it, and the service account the proxy's identity names.</summary>
internal sealed record SecureXds(IPEndPoint Address, string RootCert, string ServiceAccount);
