using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot.Filters;

namespace Weft.Proxy.Http.Filters;

/// <summary>
/// Envoy's CORS filter for one request, given the policies of its route, virtual host and route configuration (most
/// specific first; each setting comes from the first policy that has it). A preflight (OPTIONS with <c>Origin</c> and
/// <c>Access-Control-Request-Method</c>) is answered here with 200 and the <c>Access-Control-Allow-*</c> headers, unless
/// its origin is not allowed and such preflights go on to the application. Any other request from an allowed origin gets
/// <c>Access-Control-Allow-Origin</c>, <c>-Allow-Credentials</c> and <c>-Expose-Headers</c> on whatever answers it.
/// </summary>
internal static class CorsFilter
{
    /// <summary>Runs the filter; true when it answered the request (a preflight).</summary>
    public static async Task<bool> RunAsync(HttpContext context, IReadOnlyList<CorsPolicyModel> policies, Func<ulong> random)
    {
        if (policies.Count == 0)
        {
            return false;
        }

        // Envoy reads filter_enabled from the most specific policy only. A request outside it changes nothing, whether
        // or not shadow_enabled evaluates it (that only counts statistics, which this proxy does not keep yet).
        if (!policies[0].Enabled.Hit(random))
        {
            return false;
        }

        var request = context.Request;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return false;
        }

        var allowed = OriginAllowed(policies, origin);
        var credentials = policies.FirstOrDefault(p => p.AllowCredentials is not null)?.AllowCredentials ?? false;
        var requestedMethod = request.Headers.AccessControlRequestMethod.ToString();
        if (!HttpMethods.IsOptions(request.Method) || requestedMethod.Length == 0)
        {
            if (allowed)
            {
                var expose = First(policies, p => p.ExposeHeaders);
                context.Response.OnStarting(() =>
                {
                    var headers = context.Response.Headers;
                    headers.AccessControlAllowOrigin = origin;
                    if (credentials)
                    {
                        headers.AccessControlAllowCredentials = "true";
                    }

                    if (expose.Length > 0)
                    {
                        headers.AccessControlExposeHeaders = expose;
                    }

                    return Task.CompletedTask;
                });
            }

            return false;
        }

        var forwardUnmatched = policies.FirstOrDefault(p => p.ForwardNotMatchingPreflights is not null)?.ForwardNotMatchingPreflights ?? true;
        if (!allowed && forwardUnmatched)
        {
            return false;
        }

        var response = context.Response.Headers;
        if (allowed)
        {
            response.AccessControlAllowOrigin = origin;
        }

        if (credentials)
        {
            response.AccessControlAllowCredentials = "true";
        }

        var methods = First(policies, p => p.AllowMethods);
        if (methods.Length > 0)
        {
            response.AccessControlAllowMethods = methods == "*" ? requestedMethod : methods;
        }

        var allowHeaders = First(policies, p => p.AllowHeaders);
        if (allowHeaders.Length > 0)
        {
            response.AccessControlAllowHeaders = allowHeaders == "*" ? request.Headers.AccessControlRequestHeaders : (StringValues)allowHeaders;
        }

        var maxAge = First(policies, p => p.MaxAge);
        if (maxAge.Length > 0)
        {
            response.AccessControlMaxAge = maxAge;
        }

        var privateNetwork = policies.FirstOrDefault(p => p.AllowPrivateNetworkAccess is not null)?.AllowPrivateNetworkAccess ?? false;
        if (privateNetwork && request.Headers["access-control-request-private-network"] == "true")
        {
            response["access-control-allow-private-network"] = "true";
        }

        await LocalReplies.SendAsync(context, StatusCodes.Status200OK, string.Empty, string.Empty).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Whether the first policy that lists origins allows this one: a matcher that matches the origin, or one that
    /// matches "*" (which allows every origin, as in Envoy).
    /// </summary>
    private static bool OriginAllowed(IReadOnlyList<CorsPolicyModel> policies, string origin)
    {
        var origins = policies.FirstOrDefault(p => p.AllowOrigins.Count > 0)?.AllowOrigins ?? [];
        return origins.Any(m => m.Matches("*") || m.Matches(origin));
    }

    private static string First(IReadOnlyList<CorsPolicyModel> policies, Func<CorsPolicyModel, string> field) =>
        policies.Select(field).FirstOrDefault(v => v.Length > 0) ?? string.Empty;
}
