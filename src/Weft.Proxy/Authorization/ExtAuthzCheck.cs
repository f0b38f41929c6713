using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Authorization;

/// <summary>
/// The request an ext_authz filter asks about, as its services see it: the request after the connection manager's
/// processing, the connection it came on (addresses, verified peer), its protocol, id and announced size.
/// </summary>
internal sealed record ExtAuthzCheck(RouteRequest Request, AuthorizationInput Connection, string Protocol, string RequestId, long Size);
