using Microsoft.AspNetCore.Http;

namespace Weft.Proxy.Authorization;

/// <summary>
/// What allowing ext_authz answers do to a request before it is routed, as Envoy applies them: headers the service
/// lists in <c>x-envoy-auth-headers-to-remove</c> are removed, <c>allowed_upstream_headers</c> replace the request's,
/// <c>allowed_upstream_headers_to_append</c> are added beside them, <c>allowed_client_headers_on_success</c> go on the
/// response, and a request let through by <c>failure_mode_allow</c> is marked when the filter asks for it.
/// </summary>
internal static class ExtAuthzEdits
{
    /// <summary>Headers a service may not remove: what the request is (Envoy refuses pseudo-headers and Host).</summary>
    private static readonly HashSet<string> Protected = new(StringComparer.OrdinalIgnoreCase) { "host" };

    public static void Apply(HttpContext context, AuthorizationOutcomes outcomes)
    {
        if (!outcomes.FailureModeAllowed && outcomes.Allowed.Count == 0)
        {
            return;
        }

        var headers = context.Request.Headers;
        if (outcomes.FailureModeAllowed)
        {
            headers[ExtAuthzFilter.FailureModeAllowedHeader] = "true";
        }

        List<KeyValuePair<string, string>>? toClient = null;
        foreach (var result in outcomes.Allowed)
        {
            foreach (var name in result.HeadersToRemove)
            {
                if (!Protected.Contains(name) && !name.StartsWith(':'))
                {
                    headers.Remove(name);
                }
            }

            foreach (var (name, value) in Grouped(result.UpstreamHeaders))
            {
                headers[name] = value;
            }

            foreach (var (name, value) in result.UpstreamHeadersToAppend)
            {
                headers.Append(name, value);
            }

            if (result.ClientHeaders.Count > 0)
            {
                (toClient ??= []).AddRange(result.ClientHeaders);
            }
        }

        if (toClient is not null)
        {
            context.Response.OnStarting(static state =>
            {
                var (response, added) = ((HttpResponse, List<KeyValuePair<string, string>>))state;
                foreach (var (name, value) in added)
                {
                    response.Headers.Append(name, value);
                }

                return Task.CompletedTask;
            }, (context.Response, toClient));
        }
    }

    /// <summary>Values of a repeated header, together: the answer's values replace the request's as a set.</summary>
    private static IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> Grouped(IReadOnlyList<KeyValuePair<string, string>> headers) =>
        headers.GroupBy(h => h.Key, StringComparer.OrdinalIgnoreCase)
            .Select(g => KeyValuePair.Create(g.Key, new Microsoft.Extensions.Primitives.StringValues(g.Select(h => h.Value).ToArray())));
}
