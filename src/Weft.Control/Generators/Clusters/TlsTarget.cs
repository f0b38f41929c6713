namespace Weft.Control.Generators.Clusters;

/// <summary>What TLS origination to a cluster needs to know besides the DestinationRule's <c>tls</c>.</summary>
/// <param name="Sni">Istio's SNI for the cluster, <c>outbound_.PORT_.SUBSET_.HOST</c>.</param>
/// <param name="ServiceAccounts">The identities the destination's servers may present.</param>
/// <param name="MeshExternal">The service is outside the mesh: never auto mTLS.</param>
/// <param name="FromServiceEntry">The service came from a ServiceEntry (Istio's External registry), whose identities stand in for missing SANs.</param>
/// <param name="Mode">What PeerAuthentication and the endpoints say the destination accepts.</param>
/// <param name="RuleHasSelector">The DestinationRule selects workloads, so sidecars may use its credentialName.</param>
internal sealed record TlsTarget(string Sni, IReadOnlyList<string> ServiceAccounts, bool MeshExternal, bool FromServiceEntry, MutualTlsMode Mode, bool RuleHasSelector);
