using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Weft.Proxy.Http;

/// <summary>
/// Answers the proxy gives itself, shaped as Envoy's local replies: the status, a short text body (none for 404 NR and
/// 503 NC, as Envoy) with <c>content-type: text/plain</c>, and the response flag added to the request's. A gRPC request
/// gets what Envoy gives it instead: a trailers-only answer (HTTP 200, <c>application/grpc</c>) whose <c>grpc-status</c>
/// is the given one or the HTTP status mapped as Envoy maps it, and whose <c>grpc-message</c> is the body.
/// </summary>
internal static class LocalReplies
{
    /// <summary>Envoy's body when a circuit breaker refuses a request.</summary>
    public static readonly string Overflow = UpstreamReset(retried: false, "overflow");

    /// <summary>
    /// Envoy's body when no upstream answer came: <c>upstream connect error or disconnect/reset before headers.</c>, then
    /// <c>retried and the latest</c> when attempts were retried, then the reset reason.
    /// </summary>
    public static string UpstreamReset(bool retried, string reason) =>
        $"upstream connect error or disconnect/reset before headers. {(retried ? "retried and the latest " : string.Empty)}reset reason: {reason}";

    /// <param name="headers">Headers the reply carries (an ext_authz service's denial); a content-type among them replaces text/plain.</param>
    public static Task SendAsync(HttpContext context, int status, string body, string flag, int? grpcStatus = null, IReadOnlyList<KeyValuePair<string, string>>? headers = null)
    {
        context.Features.Get<ProxyRequestInfo>()?.AddFlag(flag);

        var response = context.Response;
        if (response.HasStarted)
        {
            context.Abort();
            return Task.CompletedTask;
        }

        if (IsGrpc(context.Request))
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = "application/grpc";
            response.Headers["grpc-status"] = (grpcStatus ?? GrpcStatusFor(status)).ToString(CultureInfo.InvariantCulture);
            if (body.Length > 0)
            {
                response.Headers["grpc-message"] = GrpcMessage(body);
            }

            return Task.CompletedTask;
        }

        response.StatusCode = status;
        var typed = false;
        foreach (var (name, value) in headers ?? [])
        {
            response.Headers.Append(name, value);
            typed |= string.Equals(name, "content-type", StringComparison.OrdinalIgnoreCase);
        }

        if (body.Length == 0)
        {
            response.ContentLength = 0;
            return Task.CompletedTask;
        }

        var bytes = Encoding.UTF8.GetBytes(body);
        if (!typed)
        {
            response.ContentType = "text/plain";
        }

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

    /// <summary>Envoy's test for a gRPC request: <c>application/grpc</c>, alone or followed by <c>+</c> and a codec.</summary>
    public static bool IsGrpc(HttpRequest request)
    {
        const string Grpc = "application/grpc";
        var type = request.ContentType;
        return type is not null && type.StartsWith(Grpc, StringComparison.Ordinal) && (type.Length == Grpc.Length || type[Grpc.Length] == '+');
    }

    /// <summary>The gRPC status Envoy gives a local reply of an HTTP status.</summary>
    public static int GrpcStatusFor(int status) => status switch
    {
        400 => 13, // INTERNAL
        401 => 16, // UNAUTHENTICATED
        403 => 7, // PERMISSION_DENIED
        404 => 12, // UNIMPLEMENTED
        429 or 502 or 503 or 504 => 14, // UNAVAILABLE
        _ => 2, // UNKNOWN
    };

    /// <summary>A <c>grpc-message</c> value: the UTF-8 bytes, with '%' and bytes outside printable ASCII percent-encoded.</summary>
    private static string GrpcMessage(string text)
    {
        var result = new StringBuilder(text.Length);
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            if (b is >= 0x20 and <= 0x7E && b != (byte)'%')
            {
                result.Append((char)b);
            }
            else
            {
                result.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }

        return result.ToString();
    }
}
