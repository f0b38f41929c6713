using System.Numerics;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary>
/// A route's <c>hash_policy</c>, which ring hash and Maglev clusters pick by. Entries are evaluated in order; each hash
/// found is folded in (the hash so far rotated left by one, then XORed, so two equal entries do not cancel out), and a
/// terminal entry stops once there is a hash. Null when no entry produced one: the balancer then picks at random.
/// </summary>
internal sealed class HashPolicy(IReadOnlyList<HashMethod> methods)
{
    public IReadOnlyList<HashMethod> Methods { get; } = methods;

    public ulong? Compute(HttpContext context, RouteRequest request)
    {
        ulong? hash = null;
        foreach (var method in Methods)
        {
            if (method.Evaluate(context, request) is { } value)
            {
                hash = (hash is { } sofar ? BitOperations.RotateLeft(sofar, 1) : 0) ^ value;
            }

            if (method.Terminal && hash is not null)
            {
                break;
            }
        }

        return hash;
    }
}
