namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>A filter chain: its match and what it does with the connection.</summary>
internal sealed record FilterChainModel(string Name, ChainMatch Match, ChainAction Action)
{
    /// <summary>The TLS the chain terminates (its DownstreamTlsContext); null for plaintext.</summary>
    public Tls.TlsSettings? Tls { get; init; }
}

/// <summary>What a chain does: serve HTTP through a connection manager, proxy TCP, or something this proxy cannot do yet.</summary>
internal abstract record ChainAction;

/// <param name="Authorization">Network authorization filters before the connection manager; null when none.</param>
internal sealed record HttpChain(ConnectionManagerModel Manager, Authorization.NetworkAuthorization? Authorization = null) : ChainAction;

/// <summary>A chain that proxies the connection's bytes to a cluster (<c>tcp_proxy</c>).</summary>
/// <param name="Authorization">Network RBAC / ext_authz to check a connection with before proxying it; null when none.</param>
internal sealed record TcpChain(TcpProxyModel Proxy, Authorization.NetworkAuthorization? Authorization = null) : ChainAction
{
    /// <summary>
    /// The ALPN under which the chain's <c>istio.metadata_exchange</c> filter exchanges workload metadata with the client
    /// (Istio's <c>istio-peer-exchange</c>); null when the chain has no such filter.
    /// </summary>
    public string? PeerExchange { get; init; }

    /// <summary>Istio's stats filter on the chain; null when it has none (its connections count in no standard metric).</summary>
    public Telemetry.Metrics.StatsConfig? Stats { get; init; }
}

internal sealed record UnsupportedChain(string Reason) : ChainAction;
