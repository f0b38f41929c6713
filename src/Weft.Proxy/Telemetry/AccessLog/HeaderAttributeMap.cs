using Microsoft.AspNetCore.Http;
using Weft.Proxy.Telemetry.Expressions;

namespace Weft.Proxy.Telemetry.AccessLog;

/// <summary>
/// Request or response headers as Envoy's <c>request.headers</c> / <c>response.headers</c> map: string keys looked up
/// case-insensitively (Envoy lower-cases them), repeated values joined by ",". Request maps also answer the
/// pseudo-headers <c>:method</c>, <c>:path</c>, <c>:authority</c> and <c>:scheme</c> by key (they are not enumerated).
/// Nothing is copied: a key is read when the expression asks for it.
/// </summary>
internal sealed class HeaderAttributeMap(IHeaderDictionary headers, HttpContext? request = null) : CelMap
{
    public override int Count => headers.Count;

    public override bool TryGet(CelValue key, out CelValue value)
    {
        value = default;
        if (key.Kind != CelKind.String)
        {
            return false;
        }

        var name = key.AsString;
        if (request is not null && name.StartsWith(':'))
        {
            var pseudo = PseudoHeader(request, name);
            value = pseudo is null ? default : CelValue.String(pseudo);
            return pseudo is not null;
        }

        if (!headers.TryGetValue(name, out var values) || values.Count == 0)
        {
            return false;
        }

        value = CelValue.String(values.ToString());
        return true;
    }

    /// <summary>
    /// A request pseudo-header as Envoy's formats and attributes read it (<c>:path</c> with its query); null for a name
    /// that is not one of <c>:method</c>, <c>:path</c>, <c>:authority</c>, <c>:scheme</c>.
    /// </summary>
    public static string? PseudoHeader(HttpContext context, string name) => name switch
    {
        ":method" => context.Request.Method,
        ":path" => Http.ProxyRequestHandler.Target(context),
        ":authority" => context.Request.Host.Value,
        ":scheme" => context.Request.Scheme,
        _ => null,
    };

    public override IEnumerable<KeyValuePair<CelValue, CelValue>> Entries =>
        headers.Select(h => KeyValuePair.Create(CelValue.String(h.Key.ToLowerInvariant()), CelValue.String(h.Value.ToString())));
}
