using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Type.Matcher.V3;
using HttpExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz;

namespace Weft.Proxy.Authorization;

/// <summary>
/// An HTTP authorization service as Envoy's ext_authz filter calls it (<c>http_service</c>): the cluster and timeout of
/// its <c>server_uri</c>, the path prefix, which request headers go to it, which of its answer's headers reach the
/// upstream request or the client, and whether the request body is sent along.
/// </summary>
internal sealed class ExtAuthzHttpService : ExtAuthzService
{
    /// <summary>Request headers that always go to the service (with <c>:method</c>, <c>:path</c> and <c>:authority</c>).</summary>
    private static readonly StringMatch[] AlwaysSent = [StringMatch.Exact("authorization")];

    /// <summary>Headers a denial always passes to the client once <c>allowed_client_headers</c> names any.</summary>
    private static readonly StringMatch[] AlwaysToClient =
        [StringMatch.Exact("content-length"), StringMatch.Exact("www-authenticate"), StringMatch.Exact("location")];

    public string PathPrefix { get; init; } = string.Empty;

    /// <summary>Request headers (lower-case names) sent to the service besides the pseudo-headers.</summary>
    public required IReadOnlyList<StringMatch> RequestHeaders { get; init; }

    /// <summary>Request headers never sent (<c>disallowed_headers</c>), even when allowed.</summary>
    public IReadOnlyList<StringMatch> DisallowedHeaders { get; init; } = [];

    /// <summary>Headers added to every call (<c>authorization_request.headers_to_add</c>), replacing a copied value.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> HeadersToAdd { get; init; } = [];

    /// <summary>Headers of an allowing answer that replace the upstream request's (<c>allowed_upstream_headers</c>).</summary>
    public IReadOnlyList<StringMatch> UpstreamHeaders { get; init; } = [];

    /// <summary>Headers of an allowing answer appended to the upstream request's (<c>allowed_upstream_headers_to_append</c>).</summary>
    public IReadOnlyList<StringMatch> UpstreamHeadersToAppend { get; init; } = [];

    /// <summary>Headers of a denying answer passed to the client; null means all of them but Host (Envoy's default).</summary>
    public IReadOnlyList<StringMatch>? ClientHeaders { get; init; }

    /// <summary>Headers of an allowing answer added to the client's response (<c>allowed_client_headers_on_success</c>).</summary>
    public IReadOnlyList<StringMatch> ClientHeadersOnSuccess { get; init; } = [];

    public bool SendsHeader(string name) =>
        (Any(AlwaysSent, name) || Any(RequestHeaders, name)) && !Any(DisallowedHeaders, name);

    public bool PassesToClientOnDenial(string name) => ClientHeaders is null
        ? !string.Equals(name, "host", StringComparison.OrdinalIgnoreCase)
        : Any(ClientHeaders, name) || Any(AlwaysToClient, name);

    /// <summary>Compiles the filter's HTTP service; Envoy's rules: a cluster and a timeout are required (0 waits without limit).</summary>
    public static ExtAuthzHttpService Compile(HttpExtAuthz filter)
    {
        var service = filter.HttpService;
        var uri = service.ServerUri ?? throw new XdsRejectedException("http_service.server_uri is required");
        if (uri.Cluster.Length == 0)
        {
            throw new XdsRejectedException("http_service.server_uri.cluster is required");
        }

        if (uri.Timeout is not { } timeout || timeout.ToTimeSpan() < TimeSpan.Zero)
        {
            throw new XdsRejectedException("http_service.server_uri.timeout is required (0 or more)");
        }

        if (service.PathPrefix.Length > 0 && !service.PathPrefix.StartsWith('/'))
        {
            throw new XdsRejectedException($"http_service.path_prefix \"{service.PathPrefix}\" must start with /");
        }

        // The filter's own allowed_headers, when set, replaces the older authorization_request.allowed_headers.
        var allowed = filter.AllowedHeaders ?? service.AuthorizationRequest?.AllowedHeaders;
        var response = service.AuthorizationResponse;
        return new ExtAuthzHttpService
        {
            Cluster = uri.Cluster,
            Timeout = timeout.ToTimeSpan(),
            PathPrefix = service.PathPrefix,
            RequestHeaders = Compile(allowed),
            DisallowedHeaders = Compile(filter.DisallowedHeaders),
            HeadersToAdd = service.AuthorizationRequest?.HeadersToAdd
                .Select(h => KeyValuePair.Create(h.Key.ToLowerInvariant(), h.Value.Length > 0 ? h.Value : h.RawValue.ToStringUtf8()))
                .ToArray() ?? [],
            UpstreamHeaders = Compile(response?.AllowedUpstreamHeaders),
            UpstreamHeadersToAppend = Compile(response?.AllowedUpstreamHeadersToAppend),
            ClientHeaders = response?.AllowedClientHeaders is { Patterns.Count: > 0 } client ? Compile(client) : null,
            ClientHeadersOnSuccess = Compile(response?.AllowedClientHeadersOnSuccess),
            MaxRequestBytes = MaxBody(filter),
            AllowPartialBody = filter.WithRequestBody?.AllowPartialMessage ?? false,
        };
    }

}
