using HttpExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz;
using NetworkExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Network.ExtAuthz.V3.ExtAuthz;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// An extension provider ready for use: the ext_authz filter configs it gives HTTP chains and (gRPC providers only) TCP
/// chains, or the error that makes every policy naming it deny instead.
/// </summary>
internal sealed record ResolvedExtAuthz(HttpExtAuthz? Http, NetworkExtAuthz? Tcp, string? Error);
