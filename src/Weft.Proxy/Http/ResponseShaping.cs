using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Http;

/// <summary>
/// The response side of a routed request: header edits by level (a weighted cluster entry, the route, its virtual host,
/// the route configuration; most specific first unless the configuration reverses it), plus the
/// attempt count when the virtual host asks for it. Applied to forwarded responses and the router's own replies alike
/// (the Server header is the connection manager's, set on every response as it starts).
/// </summary>
internal sealed class ResponseShaping(IReadOnlyList<HeaderMutation> mutations, bool attemptCount)
{
    public void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        foreach (var mutation in mutations)
        {
            mutation.Apply(headers);
        }

        if (attemptCount)
        {
            headers["x-envoy-attempt-count"] = "1";
        }
    }
}
