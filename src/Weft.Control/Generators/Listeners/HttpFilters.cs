using Google.Protobuf.WellKnownTypes;
using Weft.Xds;
using Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1;

namespace Weft.Control.Generators.Listeners;

/// <summary>The HTTP filters Istio puts in a connection manager, by their Envoy names.</summary>
internal static class HttpFilters
{
    public const string FaultName = "envoy.filters.http.fault";
    public const string CorsName = "envoy.filters.http.cors";
    public const string RouterName = "envoy.filters.http.router";
    public const string AlpnName = "istio.alpn";

    /// <summary>
    /// Istio's ALPN override on outbound and gateway connection managers: the upstream mTLS connection offers
    /// <c>istio-http/1.0</c>, <c>istio-http/1.1</c> or <c>istio-h2</c> by the version it carries (then <c>istio</c> for
    /// older servers, and the plain name for servers outside the mesh), so the server sidecar picks its HTTP chain.
    /// </summary>
    public static HttpFilter Alpn()
    {
        var config = new FilterConfig();
        config.AlpnOverride.Add(Override(FilterConfig.Types.Protocol.Http10, "istio-http/1.0", "istio", "http/1.0"));
        config.AlpnOverride.Add(Override(FilterConfig.Types.Protocol.Http11, "istio-http/1.1", "istio", "http/1.1"));
        config.AlpnOverride.Add(Override(FilterConfig.Types.Protocol.Http2, "istio-h2", "istio", "h2"));
        return new HttpFilter { Name = AlpnName, TypedConfig = Any.Pack(config) };
    }

    /// <summary>
    /// Istio's peer metadata filter on a sidecar's inbound connection managers, first so that the filters after it (RBAC
    /// above all) can read the client's workload metadata: it learns the client from the request's headers and answers
    /// with this workload's.
    /// </summary>
    public static HttpFilter InboundMetadataExchange() => new() { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.HttpInbound() };

    /// <summary>
    /// Istio's peer metadata filter on outbound and gateway connection managers, first there too: it sends this
    /// workload's metadata upstream and learns the server's from the response. A sidecar whose proxyHeaders say
    /// <c>metadataExchangeHeaders.mode: IN_MESH</c> sends it to clusters in the mesh only (<paramref name="skipExternalClusters"/>).
    /// </summary>
    public static HttpFilter OutboundMetadataExchange(bool skipExternalClusters = false) =>
        new() { Name = MetadataExchangeFilters.FilterName, TypedConfig = MetadataExchangeFilters.HttpOutbound(skipExternalClusters) };

    public static HttpFilter Fault() => new() { Name = FaultName, TypedConfig = Any.Pack(new HTTPFault()) };

    public static HttpFilter Cors() => new() { Name = CorsName, TypedConfig = Any.Pack(new Cors()) };

    /// <summary>
    /// The router, last. <paramref name="suppressEnvoyHeaders"/> (proxyHeaders <c>envoyDebugHeaders.disabled</c>) keeps it
    /// from adding <c>x-envoy-*</c> headers.
    /// </summary>
    public static HttpFilter Router(bool suppressEnvoyHeaders = false) =>
        new() { Name = RouterName, TypedConfig = Any.Pack(new Router { SuppressEnvoyHeaders = suppressEnvoyHeaders }) };

    private static FilterConfig.Types.AlpnOverride Override(FilterConfig.Types.Protocol protocol, params string[] alpn) =>
        new() { UpstreamProtocol = protocol, AlpnOverride_ = { alpn } };
}
