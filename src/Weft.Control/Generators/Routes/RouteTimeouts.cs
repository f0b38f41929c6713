using Google.Protobuf.WellKnownTypes;
using Weft.Control.Model;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// The route timeout: the VirtualService's, else none (0 disables Envoy's 15 s default, so long calls and streams are
/// not cut). gRPC's own <c>grpc-timeout</c> header is capped at the same value; proxyless gRPC clients read only
/// <c>max_stream_duration</c>, so they get the value there instead.
/// </summary>
internal static class RouteTimeouts
{
    /// <param name="proxy">The proxy routes are built for; null for routes built the same for every proxy.</param>
    public static void Apply(RouteAction action, string? timeout, ProxyNode? proxy)
    {
        action.Timeout = RouteDurations.Parse(timeout) ?? new Duration();
        if (proxy?.IsProxylessGrpc == true)
        {
            action.MaxStreamDuration = new RouteAction.Types.MaxStreamDuration { MaxStreamDuration_ = action.Timeout.Clone() };
        }
        else
        {
            action.MaxGrpcTimeout = action.Timeout.Clone();
        }
    }
}
