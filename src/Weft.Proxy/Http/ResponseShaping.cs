using System.Globalization;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Routes;

namespace Weft.Proxy.Http;

/// <summary>
/// The response side of a routed request: header edits by level (a weighted cluster entry, the route, its virtual host,
/// the route configuration; most specific first unless the configuration reverses it), plus the number of attempts
/// made (<c>x-envoy-attempt-count</c>) when the virtual host asks for it and an attempt was made. Applied to forwarded
/// responses and the router's own replies alike (the Server header is the connection manager's, set on every response
/// as it starts).
/// </summary>
internal sealed class ResponseShaping(IReadOnlyList<HeaderMutation> mutations, bool attemptCount)
{
    /// <summary>Upstream attempts so far: none until an endpoint was picked.</summary>
    public int Attempts { get; set; }

    public void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        foreach (var mutation in mutations)
        {
            mutation.Apply(headers);
        }

        if (attemptCount && Attempts > 0)
        {
            headers[Router.AttemptCount] = Attempts.ToString(CultureInfo.InvariantCulture);
        }
    }
}
