using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.LoadBalancing;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes.Hashing;

/// <summary>
/// A request header's value (pseudo-headers included), after the optional regex rewrite. A header sent several times is
/// hashed as its values sorted and run together, so their order does not matter, as in Envoy.
/// </summary>
internal sealed class HeaderHash(string name, (Regex Pattern, string Substitution)? rewrite, bool terminal) : HashMethod(terminal)
{
    public override ulong? Evaluate(HttpContext context, RouteRequest request)
    {
        if (name.StartsWith(':') || name == "host")
        {
            return request.Header(name) is { } pseudo ? XxHash64.Hash(Rewrite(pseudo).AsSpan()) : null;
        }

        var values = request.Headers[name];
        switch (values.Count)
        {
            case 0:
                return null;
            case 1:
                return XxHash64.Hash(Rewrite(values[0] ?? string.Empty).AsSpan());
            default:
                var all = values.Select(v => Rewrite(v ?? string.Empty)).ToArray();
                Array.Sort(all, StringComparer.Ordinal);
                return XxHash64.Hash(string.Concat(all).AsSpan());
        }
    }

    private string Rewrite(string value) => rewrite is { } r ? r.Pattern.Replace(value, r.Substitution) : value;
}
