using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Upstream;
using Yarp.ReverseProxy.Forwarder;

namespace Weft.Proxy.Http;

/// <summary>
/// How a forwarded attempt ended, in the terms outlier detection counts (see <see cref="UpstreamResult"/>): the
/// response status (for a gRPC request answered with headers only, the HTTP status its grpc-status stands for, as Envoy
/// counts it), or a connect failure, a timeout or a reset. A client that left or cancelled is nobody's fault upstream.
/// </summary>
internal static class UpstreamResults
{
    public static UpstreamResult Response(HttpContext context, HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true
            && response.Headers.TryGetValues("grpc-status", out var values)
            && int.TryParse(values.FirstOrDefault(), out var grpc))
        {
            status = GrpcToHttp(grpc);
        }

        return UpstreamResult.Response(status);
    }

    /// <summary>The failure of an attempt that got no response headers; null when there is nothing to hold against the host.</summary>
    public static UpstreamResult? Failure(HttpContext context, ForwarderError error, bool timedOut)
    {
        if (error == ForwarderError.None || context.RequestAborted.IsCancellationRequested)
        {
            return null;
        }

        if (timedOut || error == ForwarderError.RequestTimedOut)
        {
            return UpstreamResult.Timeout;
        }

        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient)
        {
            return null;
        }

        return IsConnectFailure(context.Features.Get<IForwarderErrorFeature>()?.Exception) ? UpstreamResult.ConnectFailed : UpstreamResult.Reset;
    }

    public static bool IsConnectFailure(Exception? exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || FindSocketError(exception) is not null;

    public static SocketException? FindSocketError(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket;
            }
        }

        return null;
    }

    /// <summary>Envoy's mapping of gRPC status codes to HTTP statuses.</summary>
    private static int GrpcToHttp(int grpc) => grpc switch
    {
        0 => 200,
        1 => 499,
        3 or 9 or 11 => 400,
        4 => 504,
        5 => 404,
        6 or 10 => 409,
        7 => 403,
        8 => 429,
        12 => 501,
        14 => 503,
        16 => 401,
        _ => 500,
    };
}
