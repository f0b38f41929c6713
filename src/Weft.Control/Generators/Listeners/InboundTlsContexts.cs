using Weft.Control.Generators.Clusters;
using Weft.Control.Model;
using Weft.Xds;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// The TLS an inbound chain terminates for the mesh's mTLS (Istio's BuildInboundTLS): the workload's own certificate
/// (SDS <c>default</c>) and a client certificate required and checked against the trust bundle (SDS <c>ROOTCA</c>), both
/// from the local agent; the peer's SPIFFE id must lie in a trust domain the mesh accepts (its own, its aliases and the
/// <c>caCertificates</c> ones). ALPN is <c>h2,http/1.1</c> for HTTP and adds <c>istio-peer-exchange</c> for TCP, so
/// the ALPN sidecars offer (<c>istio</c>…) is only matched by the chain, never negotiated; TLS 1.2 (or mesh
/// <c>meshMTLS.minProtocolVersion</c>) to 1.3 with Istio's ciphers unless <c>meshMTLS.cipherSuites</c> says otherwise.
/// </summary>
internal static class InboundTlsContexts
{
    /// <summary>Istio's server-side ciphers for mesh mTLS (TLS 1.3 suites are not configurable and always on).</summary>
    public static readonly IReadOnlyList<string> DefaultCipherSuites =
    [
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "AES256-GCM-SHA384",
        "AES128-GCM-SHA256",
    ];

    public static readonly IReadOnlyList<string> HttpAlpn = ["h2", "http/1.1"];

    public static readonly IReadOnlyList<string> TcpAlpn = ["istio-peer-exchange", "h2", "http/1.1"];

    public static DownstreamTlsContext For(ListenerProtocol protocol, MeshConfig mesh)
    {
        var common = new CommonTlsContext
        {
            TlsParams = new TlsParameters
            {
                TlsMinimumProtocolVersion = mesh.MeshMtlsRequiresTls13 ? TlsParameters.Types.TlsProtocol.Tlsv13 : TlsParameters.Types.TlsProtocol.Tlsv12,
                TlsMaximumProtocolVersion = TlsParameters.Types.TlsProtocol.Tlsv13,
            },
            TlsCertificateSdsSecretConfigs = { SdsSecrets.FromAgent(ResourceNames.DefaultSecret) },
            CombinedValidationContext = new CommonTlsContext.Types.CombinedCertificateValidationContext
            {
                DefaultValidationContext = PeerValidation(mesh),
                ValidationContextSdsSecretConfig = SdsSecrets.FromAgent(ResourceNames.RootCaSecret),
            },
        };
        common.AlpnProtocols.AddRange(protocol == ListenerProtocol.Http ? HttpAlpn : TcpAlpn);
        common.TlsParams.CipherSuites.AddRange(mesh.MeshMtlsCipherSuites ?? DefaultCipherSuites);
        return new DownstreamTlsContext { CommonTlsContext = common, RequireClientCertificate = true };
    }

    /// <summary>The trust domains whose identities are accepted, in Istio's order without repeats (TrustDomainsForValidation).</summary>
    public static IReadOnlyList<string> TrustDomains(MeshConfig mesh) =>
        new[] { mesh.TrustDomain }.Concat(mesh.TrustDomainAliases).Concat(mesh.CaCertificateTrustDomains)
            .Where(td => td.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    private static CertificateValidationContext PeerValidation(MeshConfig mesh)
    {
        var validation = new CertificateValidationContext();
        validation.MatchSubjectAltNames.AddRange(TrustDomains(mesh).Select(td => new StringMatcher { Prefix = $"spiffe://{td}/" }));
        return validation;
    }
}
