using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary>One entry of a route's <c>hash_policy</c>: a hash of some part of the request, or none when that part is absent.</summary>
internal abstract class HashMethod(bool terminal)
{
    /// <summary>Once this entry produced a hash (its own or an earlier one), later entries are skipped.</summary>
    public bool Terminal { get; } = terminal;

    public abstract ulong? Evaluate(HttpContext context, RouteRequest request);
}
