namespace Weft.Proxy.Telemetry;

/// <summary>
/// What varies between the series of one reporter apart from the outcome: the peer (the downstream client on the
/// inbound side, the upstream workload on the outbound side), the destination service as the cluster or Host named it,
/// and whether the connection was mutual TLS (null when not known, as on the client side).
/// </summary>
internal readonly record struct PeerLabels(
    bool Inbound,
    WorkloadMetadata? Peer,
    string ServiceHost,
    string ServiceName,
    string ServiceNamespace,
    bool? MutualTls);
