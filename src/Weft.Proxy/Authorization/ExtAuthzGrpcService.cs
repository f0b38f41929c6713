using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using HttpExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz;

namespace Weft.Proxy.Authorization;

/// <summary>
/// A gRPC authorization service (<c>grpc_service.envoy_grpc</c>): Envoy's <c>envoy.service.auth.v3.Authorization/Check</c>
/// over HTTP/2 to an endpoint of the cluster, with the request described as an <c>AttributeContext</c>.
/// </summary>
internal sealed class ExtAuthzGrpcService : ExtAuthzService
{
    /// <summary>The <c>:authority</c> of the call (the cluster's name when the config gives none).</summary>
    public required string Authority { get; init; }

    /// <summary>Request headers sent in the check; null sends them all (Envoy's default for gRPC).</summary>
    public IReadOnlyList<StringMatch>? AllowedHeaders { get; init; }

    public IReadOnlyList<StringMatch> DisallowedHeaders { get; init; } = [];

    /// <summary>Whether the body goes as bytes (<c>raw_body</c>) rather than text (<c>body</c>).</summary>
    public bool PackAsBytes { get; init; }

    /// <summary>Whether the check carries the client's certificate (<c>include_peer_certificate</c>).</summary>
    public bool IncludePeerCertificate { get; init; }

    /// <summary>Whether the check carries the TLS session (its SNI) of a TLS connection (<c>include_tls_session</c>).</summary>
    public bool IncludeTlsSession { get; init; }

    /// <summary>The dynamic metadata namespaces whose values go along as <c>metadata_context</c> (<c>metadata_context_namespaces</c>).</summary>
    public IReadOnlyList<string> MetadataNamespaces { get; init; } = [];

    public bool SendsHeader(string name) =>
        (AllowedHeaders is null || Any(AllowedHeaders, name)) && !Any(DisallowedHeaders, name);

    /// <summary>Compiles the HTTP filter's gRPC service; Envoy's rules: an Envoy gRPC cluster is required.</summary>
    public static ExtAuthzGrpcService Compile(HttpExtAuthz filter)
    {
        var (cluster, authority, timeout) = Target(filter.GrpcService);
        return new ExtAuthzGrpcService
        {
            Cluster = cluster,
            Authority = authority,
            Timeout = timeout,
            AllowedHeaders = filter.AllowedHeaders is { Patterns.Count: > 0 } allowed ? Compile(allowed) : null,
            DisallowedHeaders = Compile(filter.DisallowedHeaders),
            MaxRequestBytes = MaxBody(filter),
            AllowPartialBody = filter.WithRequestBody?.AllowPartialMessage ?? false,
            PackAsBytes = filter.WithRequestBody?.PackAsBytes ?? false,
            IncludePeerCertificate = filter.IncludePeerCertificate,
            IncludeTlsSession = filter.IncludeTlsSession,
            MetadataNamespaces = [.. filter.MetadataContextNamespaces],
        };
    }

    /// <summary>Compiles a gRPC service (the network filter's has nothing else); an Envoy gRPC cluster is required.</summary>
    public static ExtAuthzGrpcService Compile(GrpcService? grpc, bool includePeerCertificate)
    {
        var (cluster, authority, timeout) = Target(grpc);
        return new ExtAuthzGrpcService { Cluster = cluster, Authority = authority, Timeout = timeout, IncludePeerCertificate = includePeerCertificate };
    }

    private static (string Cluster, string Authority, TimeSpan Timeout) Target(GrpcService? grpc)
    {
        if (grpc is null)
        {
            throw new XdsRejectedException("grpc_service is required");
        }

        if (grpc.EnvoyGrpc is not { } envoy)
        {
            throw new XdsRejectedException("grpc_service must name an envoy_grpc cluster (google_grpc is not supported)");
        }

        if (envoy.ClusterName.Length == 0)
        {
            throw new XdsRejectedException("grpc_service.envoy_grpc.cluster_name is required");
        }

        // Envoy's ext_authz defaults to 200 ms for a gRPC service that sets no timeout.
        var timeout = grpc.Timeout is { } given ? given.ToTimeSpan() : TimeSpan.FromMilliseconds(200);
        return (envoy.ClusterName, envoy.Authority.Length > 0 ? envoy.Authority : envoy.ClusterName, timeout);
    }
}
