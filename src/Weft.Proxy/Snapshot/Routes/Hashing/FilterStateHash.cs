using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary>
/// <c>filter_state</c>: Envoy hashes a hashable object another filter left under the key. No filter of this proxy leaves
/// such objects, so this entry never produces a hash, as in an Envoy whose filters set nothing under the key.
/// </summary>
internal sealed class FilterStateHash(bool terminal) : HashMethod(terminal)
{
    public override ulong? Evaluate(HttpContext context, RouteRequest request) => null;
}
