using System.Net;
using Weft.Xds.Envoy.Config.Core.V3;

namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// A compiled listener: its address, whether it hands connections to the listener of their original destination
/// (<c>use_original_dst</c>, as <c>virtualOutbound</c> does), its direction and its filter chains.
/// </summary>
internal sealed record ListenerModel(
    string Name,
    IPAddress Address,
    int Port,
    bool BindToPort,
    bool UseOriginalDestination,
    TrafficDirection Direction,
    IReadOnlyList<FilterChainModel> Chains,
    FilterChainModel? DefaultChain)
{
    /// <summary>The unix socket path the listener is bound to instead of an IP address and port (then 255.255.255.255:0).</summary>
    public string? Pipe { get; init; }

    /// <summary>Where it listens, as admin pages show it: <c>IP:PORT</c> or the socket path.</summary>
    public string Where => Pipe ?? HostPort.Join(Address.ToString(), Port);

    /// <summary>
    /// Whether its socket takes connections diverted to other addresses (Envoy's <c>transparent</c>, <c>IP_TRANSPARENT</c>),
    /// as the capture listeners under Istio's TPROXY interception; such a connection's own local address is its original destination.
    /// </summary>
    public bool Transparent { get; init; }

    /// <summary>Envoy's original_src listener filter: upstream connections are made from the client's own address; null when absent.</summary>
    public OriginalSourceFilter? OriginalSource { get; init; }

    /// <summary>What the listener filters read from a connection before its chain is chosen.</summary>
    public ListenerInspection Inspection { get; init; } = ListenerInspection.None;

    /// <summary>The listener's own file access logs: a line for a connection no filter chain takes (flag <c>NR</c>).</summary>
    public IReadOnlyList<Telemetry.AccessLog.AccessLogConfig> AccessLogs { get; init; } = [];

    /// <summary>The chain for a connection, or the default chain when none matches, or null.</summary>
    public FilterChainModel? SelectChain(ConnectionFacts facts) => FilterChainSelector.Select(Chains, facts) ?? DefaultChain;

    /// <summary>The secrets the control plane must send over ADS before the listener can serve TLS.</summary>
    public IEnumerable<Tls.AdsSecret> AdsSecrets() =>
        Chains.Append(DefaultChain).SelectMany(c => c?.Tls?.AdsSecrets() ?? []);

    /// <summary>Whether the listener takes every address (0.0.0.0 or ::).</summary>
    public bool IsWildcard => Pipe is null && (Address.Equals(IPAddress.Any) || Address.Equals(IPAddress.IPv6Any));
}

/// <summary>
/// An original_src listener filter: the mark for the upstream socket (0: none). Its <c>bind_port</c> is not implemented
/// by Envoy either: the upstream socket takes the client's address with a port of its own.
/// </summary>
internal sealed record OriginalSourceFilter(uint Mark);
