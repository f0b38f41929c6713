using Google.Protobuf.WellKnownTypes;
using Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Fault.V3;
using Weft.Xds.Envoy.Extensions.Filters.Http.Router.V3;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>The HTTP filters Istio puts in a connection manager, by their Envoy names.</summary>
internal static class HttpFilters
{
    public const string FaultName = "envoy.filters.http.fault";
    public const string CorsName = "envoy.filters.http.cors";
    public const string RouterName = "envoy.filters.http.router";

    public static HttpFilter Fault() => new() { Name = FaultName, TypedConfig = Any.Pack(new HTTPFault()) };

    public static HttpFilter Cors() => new() { Name = CorsName, TypedConfig = Any.Pack(new Cors()) };

    public static HttpFilter Router() => new() { Name = RouterName, TypedConfig = Any.Pack(new Router()) };
}
