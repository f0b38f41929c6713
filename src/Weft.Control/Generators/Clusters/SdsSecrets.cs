using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Control.Generators.Clusters;

/// <summary>
/// References to the secrets a TLS context needs, as Istio names them: the workload's own certificate (<c>default</c>)
/// and trust bundle (<c>ROOTCA</c>) and files the proxy reads (<c>file-cert:CERT~KEY</c>, <c>file-root:CA</c>) come from
/// the local agent's SDS server (cluster <c>sds-grpc</c>); <c>credentialName</c> secrets come from the control plane
/// over ADS.
/// </summary>
internal static class SdsSecrets
{
    /// <summary>The bootstrap cluster of the agent's SDS server.</summary>
    public const string AgentCluster = "sds-grpc";

    /// <summary>What Istio appends to a credential's name to get its CA certificate.</summary>
    public const string CaSuffix = "-cacert";

    private const string BuiltinScheme = "builtin://";
    private const string KubernetesScheme = "kubernetes://";
    private const string KubernetesGatewayScheme = "kubernetes-gateway://";
    private const string ConfigMapScheme = "configmap://";
    private const string ExternalSdsScheme = "sds://";

    /// <summary>
    /// A secret from the agent. The workload's own certificate and bundle do not wait at startup (initial fetch timeout
    /// 0s: a cluster cannot work without them); file secrets use Envoy's default.
    /// </summary>
    public static SdsSecretConfig FromAgent(string name)
    {
        var source = new ConfigSource
        {
            ApiConfigSource = new ApiConfigSource
            {
                ApiType = ApiConfigSource.Types.ApiType.Grpc,
                SetNodeOnFirstMessageOnly = true,
                TransportApiVersion = ApiVersion.V3,
                GrpcServices = { new GrpcService { EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = AgentCluster } } },
            },
            ResourceApiVersion = ApiVersion.V3,
        };
        if (name is ResourceNames.DefaultSecret or ResourceNames.RootCaSecret)
        {
            source.InitialFetchTimeout = new Google.Protobuf.WellKnownTypes.Duration();
        }

        return new SdsSecretConfig { Name = name, SdsConfig = source };
    }

    /// <summary>A certificate chain and key the proxy reads from files (DestinationRule <c>clientCertificate</c>/<c>privateKey</c>).</summary>
    public static SdsSecretConfig CertificateFiles(string certificate, string privateKey) => FromAgent($"file-cert:{certificate}~{privateKey}");

    /// <summary>A trust bundle the proxy reads from a file; <c>system</c> means the operating system's roots.</summary>
    public static SdsSecretConfig RootFile(string caCertificates) => FromAgent($"file-root:{caCertificates}");

    /// <summary>
    /// A <c>credentialName</c> secret (Istio's ConstructSdsSecretConfigForCredential without external SDS providers):
    /// <c>builtin://</c> is the workload's own identity; a name without a scheme is a Kubernetes secret. Not waited for at
    /// startup, since the secret may not exist.
    /// </summary>
    public static SdsSecretConfig FromCredential(string name)
    {
        if (name == BuiltinScheme)
        {
            return FromAgent(ResourceNames.DefaultSecret);
        }

        if (name == BuiltinScheme + CaSuffix)
        {
            return FromAgent(ResourceNames.RootCaSecret);
        }

        if (name.StartsWith(ExternalSdsScheme, StringComparison.Ordinal))
        {
            name = name[ExternalSdsScheme.Length..];
        }

        var resource = name.StartsWith(BuiltinScheme, StringComparison.Ordinal) ? ResourceNames.DefaultSecret
            : name.StartsWith(ConfigMapScheme, StringComparison.Ordinal) || name.StartsWith(KubernetesScheme, StringComparison.Ordinal)
                || name.StartsWith(KubernetesGatewayScheme, StringComparison.Ordinal) ? name
            : KubernetesScheme + name;
        return new SdsSecretConfig { Name = resource, SdsConfig = new ConfigSource { Ads = new AggregatedConfigSource(), ResourceApiVersion = ApiVersion.V3 } };
    }

    /// <summary>Whether the credential is a ConfigMap, which any proxy may read (so sidecars may use it too).</summary>
    public static bool IsConfigMap(string credentialName) => credentialName.StartsWith(ConfigMapScheme, StringComparison.Ordinal);
}
