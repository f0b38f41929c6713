namespace Weft.Proxy.Telemetry;

/// <summary>
/// What varies between the series of one reporter apart from the outcome: the peer (the downstream client on the
/// inbound side, the upstream workload on the outbound side), the destination service as the cluster or Host named it,
/// whether the connection was mutual TLS (null when not known, as on the client side), and the principals the
/// certificates of a mutual-TLS connection named (empty when unknown: the local identity or <c>unknown</c> is reported).
/// </summary>
internal readonly record struct PeerLabels(
    bool Inbound,
    WorkloadMetadata? Peer,
    string ServiceHost,
    string ServiceName,
    string ServiceNamespace,
    bool? MutualTls,
    string SourcePrincipal = "",
    string DestinationPrincipal = "");
