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

        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (timedOut || error == ForwarderError.RequestTimedOut || IsConnectTimeout(exception))
        {
            // A connect timeout is a timeout to the detector (Envoy's local-origin timeout, a 504 when local and
            // external errors are not split), not a connect failure.
            return UpstreamResult.Timeout;
        }

        if (error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseClient)
        {
            return null;
        }

        return IsConnectFailure(exception) ? UpstreamResult.ConnectFailed : UpstreamResult.Reset;
    }

    /// <summary>
    /// A failure to connect, as retries (<c>connect-failure</c>) and the local reply see it: refused, unreachable,
    /// unresolvable, or the cluster's connect timeout.
    /// </summary>
    public static bool IsConnectFailure(Exception? exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || FindSocketError(exception) is not null
        || IsConnectTimeout(exception);

    /// <summary>The cluster's connect timeout expired (the connector's <see cref="TimeoutException"/>).</summary>
    public static bool IsConnectTimeout(Exception? exception) => Find<TimeoutException>(exception) is not null;

    public static SocketException? FindSocketError(Exception? exception) => Find<SocketException>(exception);

    /// <summary>The first exception of type <typeparamref name="T"/> in <paramref name="exception"/>'s chain of inner exceptions.</summary>
    public static T? Find<T>(Exception? exception)
        where T : Exception
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
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
