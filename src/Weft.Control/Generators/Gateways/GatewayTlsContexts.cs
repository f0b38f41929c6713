using Weft.Api.Model.Networking;
using Weft.Xds;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// The TLS a gateway server terminates, as Istio's BuildListenerTLSContext writes it. The certificate comes from
/// <c>credentialName</c> (an SDS secret the control plane serves), the workload's own identity (ISTIO_MUTUAL), or
/// <c>serverCertificate</c>/<c>privateKey</c> files (served by the local SDS server, since local mode has no Kubernetes
/// secrets). MUTUAL and ISTIO_MUTUAL require a client certificate, checked against the matching CA and subject names.
/// </summary>
internal static class GatewayTlsContexts
{
    /// <summary>HTTP over TLS offers both versions.</summary>
    public static readonly IReadOnlyList<string> HttpAlpn = ["h2", "http/1.1"];

    /// <summary>Terminated ISTIO_MUTUAL TCP also offers Istio's metadata exchange.</summary>
    public static readonly IReadOnlyList<string> TcpIstioMutualAlpn = ["istio-peer-exchange", "h2", "http/1.1"];

    public static DownstreamTlsContext For(ServerTLSSettings tls, bool tcpServer)
    {
        var mode = tls.Mode ?? "PASSTHROUGH";
        var context = new DownstreamTlsContext
        {
            CommonTlsContext = new CommonTlsContext(),
            RequireClientCertificate = mode is "MUTUAL" or "ISTIO_MUTUAL",
        };
        context.CommonTlsContext.AlpnProtocols.AddRange(tcpServer && mode == "ISTIO_MUTUAL" ? TcpIstioMutualAlpn : HttpAlpn);
        var validateClient = context.RequireClientCertificate == true || mode == "OPTIONAL_MUTUAL";

        if (mode == "ISTIO_MUTUAL")
        {
            Workload(context.CommonTlsContext, tls, validateClient);
        }
        else if (tls.CredentialNames is { Count: > 0 } || !string.IsNullOrEmpty(tls.CredentialName))
        {
            Credentials(context.CommonTlsContext, tls, mode);
        }
        else
        {
            Files(context.CommonTlsContext, tls, validateClient);
        }

        if (mode is "SIMPLE" or "MUTUAL" or "OPTIONAL_MUTUAL")
        {
            ApplyParameters(context.CommonTlsContext, tls);
        }

        return context;
    }

    private static void Workload(CommonTlsContext common, ServerTLSSettings tls, bool validateClient)
    {
        common.TlsCertificateSdsSecretConfigs.Add(SdsSecretConfigs.Local(ResourceNames.DefaultSecret));
        if (validateClient)
        {
            common.CombinedValidationContext = Combined(WithCrl(ClientValidation(tls), tls), SdsSecretConfigs.Local(ResourceNames.RootCaSecret));
        }
    }

    private static void Credentials(CommonTlsContext common, ServerTLSSettings tls, string mode)
    {
        var names = tls.CredentialNames is { Count: > 0 } list ? list : [tls.CredentialName!];
        foreach (var name in names)
        {
            common.TlsCertificateSdsSecretConfigs.Add(SdsSecretConfigs.Credential(ResourceNames.CredentialSecret(name)));
        }

        if (mode is "MUTUAL" or "OPTIONAL_MUTUAL")
        {
            var ca = !string.IsNullOrEmpty(tls.CaCertCredentialName)
                ? ResourceNames.CredentialSecret(tls.CaCertCredentialName)
                : ResourceNames.CredentialCaSecret(names[0]);
            var validation = ClientValidation(tls);
            validation.VerifyCertificateSpki.AddRange(tls.VerifyCertificateSpki ?? []);
            validation.VerifyCertificateHash.AddRange(tls.VerifyCertificateHash ?? []);
            common.CombinedValidationContext = Combined(validation, SdsSecretConfigs.Credential(ca));
        }
        else if (tls.SubjectAltNames is { Count: > 0 })
        {
            common.ValidationContext = ClientValidation(tls);
        }
    }

    /// <summary>Certificates named by file path; without them the workload's own certificate (Istio's fallback).</summary>
    private static void Files(CommonTlsContext common, ServerTLSSettings tls, bool validateClient)
    {
        if (tls.TlsCertificates is { Count: > 0 } certificates)
        {
            foreach (var certificate in certificates)
            {
                common.TlsCertificateSdsSecretConfigs.Add(SdsSecretConfigs.Local(FileSecret(certificate.ServerCertificate, certificate.PrivateKey)));
            }
        }
        else
        {
            common.TlsCertificateSdsSecretConfigs.Add(SdsSecretConfigs.Local(FileSecret(tls.ServerCertificate, tls.PrivateKey)));
        }

        if (validateClient)
        {
            var validation = WithCrl(ClientValidation(tls), tls);
            var root = string.IsNullOrEmpty(tls.CaCertificates) ? ResourceNames.RootCaSecret : ResourceNames.FileRootSecret(tls.CaCertificates);
            common.CombinedValidationContext = Combined(validation, SdsSecretConfigs.Local(root));
        }
    }

    private static string FileSecret(string? certificate, string? key) =>
        string.IsNullOrEmpty(certificate) || string.IsNullOrEmpty(key) ? ResourceNames.DefaultSecret : ResourceNames.FileCertificateSecret(certificate, key);

    private static CertificateValidationContext ClientValidation(ServerTLSSettings tls)
    {
        var validation = new CertificateValidationContext();
        validation.MatchSubjectAltNames.AddRange((tls.SubjectAltNames ?? []).Select(san => new StringMatcher { Exact = san }));
        if (tls.InsecureSkipVerify == true)
        {
            validation.TrustChainVerification = CertificateValidationContext.Types.TrustChainVerification.AcceptUntrusted;
        }

        return validation;
    }

    private static CertificateValidationContext WithCrl(CertificateValidationContext validation, ServerTLSSettings tls)
    {
        if (!string.IsNullOrEmpty(tls.CaCrl))
        {
            validation.Crl = new Weft.Xds.Envoy.Config.Core.V3.DataSource { Filename = tls.CaCrl };
        }

        return validation;
    }

    private static CommonTlsContext.Types.CombinedCertificateValidationContext Combined(CertificateValidationContext validation, SdsSecretConfig ca) => new()
    {
        DefaultValidationContext = validation,
        ValidationContextSdsSecretConfig = ca,
    };

    private static void ApplyParameters(CommonTlsContext common, ServerTLSSettings tls)
    {
        var min = Version(tls.MinProtocolVersion);
        var max = Version(tls.MaxProtocolVersion);
        if (min is null && max is null && tls.CipherSuites is not { Count: > 0 } && tls.EcdhCurves is not { Count: > 0 })
        {
            return;
        }

        var parameters = common.TlsParams ??= new TlsParameters();
        if (min is { } minimum)
        {
            parameters.TlsMinimumProtocolVersion = minimum;
        }

        if (max is { } maximum)
        {
            parameters.TlsMaximumProtocolVersion = maximum;
        }

        parameters.CipherSuites.AddRange(tls.CipherSuites ?? []);
        parameters.EcdhCurves.AddRange(tls.EcdhCurves ?? []);
    }

    private static TlsParameters.Types.TlsProtocol? Version(string? version) => version switch
    {
        "TLSV1_0" => TlsParameters.Types.TlsProtocol.Tlsv10,
        "TLSV1_1" => TlsParameters.Types.TlsProtocol.Tlsv11,
        "TLSV1_2" => TlsParameters.Types.TlsProtocol.Tlsv12,
        "TLSV1_3" => TlsParameters.Types.TlsProtocol.Tlsv13,
        _ => null,
    };
}
