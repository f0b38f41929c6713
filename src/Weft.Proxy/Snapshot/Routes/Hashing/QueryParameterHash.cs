using Microsoft.AspNetCore.Http;
using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary>
/// A query parameter's first value, as it appears in the path (not percent-decoded, as Envoy's hash reads it); a
/// parameter without <c>=</c> has the empty value.
/// </summary>
internal sealed class QueryParameterHash(string name, bool terminal) : HashMethod(terminal)
{
    public override ulong? Evaluate(HttpContext context, RouteRequest request)
    {
        var path = request.Path.AsSpan();
        var start = path.IndexOf('?');
        if (start < 0)
        {
            return null;
        }

        var query = path[(start + 1)..];
        var fragment = query.IndexOf('#');
        if (fragment >= 0)
        {
            query = query[..fragment];
        }

        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            var key = equals < 0 ? pair : pair[..equals];
            if (key.SequenceEqual(name))
            {
                return XxHash64.Hash(equals < 0 ? [] : pair[(equals + 1)..]);
            }
        }

        return null;
    }
}
