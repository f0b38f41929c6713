using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Control.Generators.Gateways;

/// <summary>
/// Where TLS contexts fetch their secrets, as Istio writes it: the workload certificate (<c>default</c>), the trust
/// bundle (<c>ROOTCA</c>) and file-based secrets (<c>file-cert:…</c>, <c>file-root:…</c>) from the local SDS server
/// (cluster <c>sds-grpc</c>, served by the agent); credentials named by <c>credentialName</c> from the control plane
/// over ADS.
/// </summary>
internal static class SdsSecretConfigs
{
    /// <summary>A secret from the local SDS server. The workload secrets do not hold up listener warm-up.</summary>
    public static SdsSecretConfig Local(string name)
    {
        var source = new ConfigSource
        {
            ApiConfigSource = new ApiConfigSource
            {
                ApiType = ApiConfigSource.Types.ApiType.Grpc,
                SetNodeOnFirstMessageOnly = true,
                TransportApiVersion = ApiVersion.V3,
                GrpcServices = { new GrpcService { EnvoyGrpc = new GrpcService.Types.EnvoyGrpc { ClusterName = ResourceNames.SdsCluster } } },
            },
            ResourceApiVersion = ApiVersion.V3,
        };
        if (name is ResourceNames.DefaultSecret or ResourceNames.RootCaSecret)
        {
            source.InitialFetchTimeout = Envoy.Duration(TimeSpan.Zero);
        }

        return new SdsSecretConfig { Name = name, SdsConfig = source };
    }

    /// <summary>A credential secret (<c>kubernetes://NAME</c>) the control plane serves over ADS.</summary>
    public static SdsSecretConfig Credential(string secretName) => secretName is ResourceNames.DefaultSecret or ResourceNames.RootCaSecret
        ? Local(secretName)
        : new SdsSecretConfig { Name = secretName, SdsConfig = Envoy.Ads() };
}
