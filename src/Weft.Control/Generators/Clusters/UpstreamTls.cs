using Google.Protobuf.WellKnownTypes;
using Weft.Api.Model.Networking;
using Weft.Control.Model;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Cluster.V3;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.RawBuffer.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// The TLS an outbound cluster originates (Istio's cluster_tls.go). A DestinationRule's DISABLE, SIMPLE and MUTUAL are
/// used as written; ISTIO_MUTUAL is completed with Istio's SNI (<c>outbound_.PORT_.SUBSET_.HOST</c>) and the service's
/// identities. Without DestinationRule TLS, auto mTLS sends Istio mTLS to endpoints labelled as running a sidecar and
/// plaintext to the others (transport socket matches), unless the service is outside the mesh, auto mTLS is off, or the
/// destination is known not to accept mTLS.
/// </summary>
internal static class UpstreamTls
{
    public const string TlsSocketName = "envoy.transport_sockets.tls";
    public const string RawBufferSocketName = "envoy.transport_sockets.raw_buffer";

    private const string IstioMutualMatch = "tlsMode-istio";
    private const string DisabledMatch = "tlsMode-disabled";

    /// <summary>Client ALPN of Istio mTLS: peer metadata exchange first, then the in-mesh marker, then h2 when spoken.</summary>
    private static readonly string[] InMeshAlpn = ["istio-peer-exchange", "istio"];
    private static readonly string[] InMeshH2Alpn = ["istio-peer-exchange", "istio", "h2"];

    public static void Apply(ClusterDraft draft, ClientTLSSettings? tls, TlsTarget target, ProxyType proxyType, MeshConfig mesh)
    {
        var (settings, autoDetected) = Settings(tls, target, mesh);
        var cluster = draft.Cluster;
        if (Context(draft, settings, target, proxyType) is { } context)
        {
            cluster.TransportSocket = Envoy.TransportSocket(TlsSocketName, context);
        }

        // Auto mTLS picks per endpoint; ORIGINAL_DST clusters (headless, passthrough) have no endpoint metadata to match.
        if (autoDetected && cluster.TransportSocket is { } socket && cluster.Type != Cluster.Types.DiscoveryType.OriginalDst)
        {
            cluster.TransportSocket = null;
            cluster.TransportSocketMatches.Add(new Cluster.Types.TransportSocketMatch
            {
                Name = IstioMutualMatch,
                Match = Envoy.Struct(("tlsMode", Value.ForString("istio"))),
                TransportSocket = socket,
            });
            cluster.TransportSocketMatches.Add(new Cluster.Types.TransportSocketMatch
            {
                Name = DisabledMatch,
                Match = new Struct(),
                TransportSocket = RawBuffer(),
            });
        }
    }

    public static TransportSocket RawBuffer() => Envoy.TransportSocket(RawBufferSocketName, new RawBuffer());

    /// <summary>Exact-match SAN matchers, the form Istio writes (<c>match_subject_alt_names</c>).</summary>
    public static IEnumerable<StringMatcher> ExactMatchers(IEnumerable<string> names) => names.Select(n => new StringMatcher { Exact = n });

    /// <summary>
    /// Istio's buildUpstreamTLSSettings: the settings to apply, and whether they were inferred (auto mTLS) rather than
    /// written by the user.
    /// </summary>
    private static (ClientTLSSettings? Settings, bool AutoDetected) Settings(ClientTLSSettings? tls, TlsTarget target, MeshConfig mesh)
    {
        if (tls is not null)
        {
            if (tls.Mode != "ISTIO_MUTUAL")
            {
                return (tls, false);
            }

            return (tls with
            {
                Sni = string.IsNullOrEmpty(tls.Sni) ? target.Sni : tls.Sni,
                SubjectAltNames = tls.SubjectAltNames is { Count: > 0 } names ? names : target.ServiceAccounts,
            }, false);
        }

        if (target.MeshExternal || !mesh.EnableAutoMtls || target.Mode is MutualTlsMode.Unknown or MutualTlsMode.Disable)
        {
            return (null, false);
        }

        return (new ClientTLSSettings { Mode = "ISTIO_MUTUAL", Sni = target.Sni, SubjectAltNames = target.ServiceAccounts }, true);
    }

    /// <summary>Istio's buildUpstreamClusterTLSContext; null for plaintext or when the settings cannot be used.</summary>
    private static UpstreamTlsContext? Context(ClusterDraft draft, ClientTLSSettings? tls, TlsTarget target, ProxyType proxyType)
    {
        if (tls is null)
        {
            return null;
        }

        // A credential is a secret only some proxies may read; a rule that does not select workloads would hand it to
        // every sidecar in scope, so sidecars ignore it there (ConfigMaps are readable by anyone and stay allowed).
        var credential = tls.CredentialName ?? string.Empty;
        if (credential.Length > 0 && !SdsSecrets.IsConfigMap(credential) && proxyType == ProxyType.Sidecar && !target.RuleHasSelector
            && tls.Mode is "SIMPLE" or "MUTUAL")
        {
            return null;
        }

        return tls.Mode switch
        {
            "ISTIO_MUTUAL" => IstioMutual(draft, tls),
            "SIMPLE" => UserTls(draft, tls, target, mutual: false),
            "MUTUAL" => UserTls(draft, tls, target, mutual: true),
            _ => null,
        };
    }

    private static UpstreamTlsContext IstioMutual(ClusterDraft draft, ClientTLSSettings tls)
    {
        var common = DefaultCommonContext();
        common.TlsCertificateSdsSecretConfigs.Add(SdsSecrets.FromAgent(ResourceNames.DefaultSecret));
        var validation = new CertificateValidationContext();
        validation.MatchSubjectAltNames.AddRange(ExactMatchers(tls.SubjectAltNames ?? []));
        common.CombinedValidationContext = new CommonTlsContext.Types.CombinedCertificateValidationContext
        {
            DefaultValidationContext = validation,
            ValidationContextSdsSecretConfig = SdsSecrets.FromAgent(ResourceNames.RootCaSecret),
        };
        common.AlpnProtocols.AddRange(draft.IsHttp2 ? InMeshH2Alpn : InMeshAlpn);
        return new UpstreamTlsContext
        {
            CommonTlsContext = common,
            Sni = string.IsNullOrEmpty(tls.Sni) ? draft.Cluster.Name : tls.Sni,
        };
    }

    /// <summary>SIMPLE and MUTUAL (Istio's constructUpstreamTLS); null when MUTUAL lacks its certificate or key.</summary>
    private static UpstreamTlsContext? UserTls(ClusterDraft draft, ClientTLSSettings tls, TlsTarget target, bool mutual)
    {
        var context = new UpstreamTlsContext { CommonTlsContext = DefaultCommonContext(), Sni = tls.Sni ?? string.Empty };
        var common = context.CommonTlsContext;
        var skipVerify = tls.InsecureSkipVerify == true;
        var sans = tls.SubjectAltNames is { Count: > 0 } names ? names
            : target.FromServiceEntry ? target.ServiceAccounts
            : [];
        SetAutoSni(draft, tls, skipVerify);

        var credential = tls.CredentialName ?? string.Empty;
        if (credential.Length > 0)
        {
            if (mutual)
            {
                common.TlsCertificateSdsSecretConfigs.Add(SdsSecrets.FromCredential(credential));
            }

            if (!skipVerify)
            {
                common.CombinedValidationContext = Combined(sans, null, SdsSecrets.FromCredential(credential + SdsSecrets.CaSuffix));
            }
        }
        else
        {
            if (mutual)
            {
                // Istio logs and leaves the cluster without TLS rather than sending a client hello it cannot complete.
                if (string.IsNullOrEmpty(tls.ClientCertificate) || string.IsNullOrEmpty(tls.PrivateKey))
                {
                    return null;
                }

                common.TlsCertificateSdsSecretConfigs.Add(SdsSecrets.CertificateFiles(tls.ClientCertificate, tls.PrivateKey));
            }

            // Without caCertificates the proxy trusts the system roots; skipping verification drops the check entirely.
            if (skipVerify)
            {
                common.ValidationContext = new CertificateValidationContext();
            }
            else
            {
                var crl = string.IsNullOrEmpty(tls.CaCrl) ? null : new DataSource { Filename = tls.CaCrl };
                common.CombinedValidationContext = Combined(sans, crl, SdsSecrets.RootFile(string.IsNullOrEmpty(tls.CaCertificates) ? "system" : tls.CaCertificates));
            }
        }

        if (draft.IsHttp2)
        {
            common.AlpnProtocols.Add("h2");
        }

        return context;
    }

    private static CommonTlsContext.Types.CombinedCertificateValidationContext Combined(IEnumerable<string> sans, DataSource? crl, SdsSecretConfig root)
    {
        var validation = new CertificateValidationContext { Crl = crl };
        validation.MatchSubjectAltNames.AddRange(ExactMatchers(sans));
        return new CommonTlsContext.Types.CombinedCertificateValidationContext { DefaultValidationContext = validation, ValidationContextSdsSecretConfig = root };
    }

    /// <summary>
    /// Without a configured SNI Envoy sends the request's host as SNI (auto_sni) and, when no SANs are given either,
    /// checks the server certificate against that host (auto_san_validation), unless verification is skipped.
    /// </summary>
    private static void SetAutoSni(ClusterDraft draft, ClientTLSSettings tls, bool skipVerify)
    {
        var autoSni = string.IsNullOrEmpty(tls.Sni);
        var autoSan = autoSni && tls.SubjectAltNames is not { Count: > 0 } && !skipVerify;
        if (!autoSni && !autoSan)
        {
            return;
        }

        var upstream = draft.EnsureHttpOptions().UpstreamHttpProtocolOptions ??= new UpstreamHttpProtocolOptions();
        upstream.AutoSni |= autoSni;
        upstream.AutoSanValidation |= autoSan;
    }

    /// <summary>TLS 1.2 to 1.3 (Envoy's client default maximum is 1.2).</summary>
    private static CommonTlsContext DefaultCommonContext() => new()
    {
        TlsParams = new TlsParameters
        {
            TlsMinimumProtocolVersion = TlsParameters.Types.TlsProtocol.Tlsv12,
            TlsMaximumProtocolVersion = TlsParameters.Types.TlsProtocol.Tlsv13,
        },
    };
}
