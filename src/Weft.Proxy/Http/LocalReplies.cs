using System.Text;
using Microsoft.AspNetCore.Http;

namespace Weft.Proxy.Http;

/// <summary>
/// Answers the proxy gives itself, shaped as Envoy's local replies: the status, a short text body (none for 404 NR and
/// 503 NC, as Envoy) with <c>content-type: text/plain</c>, and the response flag recorded on the request.
/// </summary>
internal static class LocalReplies
{
    /// <summary>Envoy's body when a circuit breaker refuses a request.</summary>
    public const string Overflow = "upstream connect error or disconnect/reset before headers. reset reason: overflow";

    public static Task SendAsync(HttpContext context, int status, string body, string flag)
    {
        if (context.Features.Get<ProxyRequestInfo>() is { } info)
        {
            info.Flags = flag;
        }

        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        response.StatusCode = status;
        if (body.Length == 0)
        {
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        response.ContentType = "text/plain";
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    /// <summary>Clears what a failed forward left on a response that has not started, so a local reply replaces it.</summary>
    public static void Reset(HttpResponse response)
    {
        if (!response.HasStarted)
        {
            response.Headers.Clear();
            response.StatusCode = StatusCodes.Status200OK;
        }
    }
}
