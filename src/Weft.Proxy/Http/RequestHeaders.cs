using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Http;

/// <summary>
/// The request headers Envoy's connection manager sets before routing: <c>x-forwarded-for</c> (appended with the peer's
/// address only when the manager uses the remote address, as gateways do; sidecars leave it as the client sent it),
/// <c>x-envoy-internal</c> on internal requests only (removed from others), <c>x-forwarded-proto</c> when absent,
/// <c>x-request-id</c> when absent (or, at the edge, always unless told to keep it), and Via.
/// </summary>
internal static class RequestHeaders
{
    public const string RequestId = "x-request-id";
    public const string ForwardedFor = "x-forwarded-for";
    public const string ForwardedProto = "x-forwarded-proto";
    public const string EnvoyInternal = "x-envoy-internal";

    /// <summary>The characters of an HTTP token (RFC 9110 <c>tchar</c>), which is all a header name may hold.</summary>
    private static readonly System.Buffers.SearchValues<char> TokenChars =
        System.Buffers.SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    /// <summary>Whether every header name is a token (HTTP/2 pseudo-headers aside); Envoy answers 400 otherwise.</summary>
    public static bool NamesAreTokens(IHeaderDictionary headers)
    {
        foreach (var header in headers)
        {
            var name = header.Key.AsSpan();
            if (name.Length == 0 || (name[0] != ':' && name.ContainsAnyExcept(TokenChars)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The x-envoy-* request headers that steer Envoy (retries, timeouts, hedging, tracing): Envoy's connection manager
    /// removes them from every request it does not count as internal, so only trusted callers can use them.
    /// </summary>
    private static readonly string[] InternalControlHeaders =
    [
        "x-envoy-retriable-status-codes", "x-envoy-retriable-header-names", "x-envoy-retry-on", "x-envoy-retry-grpc-on",
        "x-envoy-max-retries", "x-envoy-upstream-alt-stat-name", "x-envoy-upstream-rq-timeout-ms",
        "x-envoy-upstream-rq-per-try-timeout-ms", "x-envoy-upstream-rq-timeout-alt-response", "x-envoy-expected-rq-timeout-ms",
        "x-envoy-force-trace", "x-envoy-ip-tags", "x-envoy-original-url", "x-envoy-hedge-on-per-try-timeout",
    ];

    public static void Apply(HttpContext context, ConnectionManagerModel manager, bool isInternal)
    {
        var headers = context.Request.Headers;
        var remote = context.Connection.RemoteIpAddress;
        if (manager.UseRemoteAddress && !manager.SkipXffAppend && remote is not null)
        {
            var address = (remote.IsIPv4MappedToIPv6 ? remote.MapToIPv4() : remote).ToString();
            headers[ForwardedFor] = StringValues.IsNullOrEmpty(headers[ForwardedFor]) ? address : headers[ForwardedFor] + "," + address;
        }

        if (isInternal)
        {
            headers[EnvoyInternal] = "true";
        }
        else if (HasEnvoyHeader(headers))
        {
            headers.Remove(EnvoyInternal);
        }

        if (StringValues.IsNullOrEmpty(headers[ForwardedProto]))
        {
            headers[ForwardedProto] = context.Request.Scheme;
        }

        if (manager.GenerateRequestId
            && (StringValues.IsNullOrEmpty(headers[RequestId]) || (manager.UseRemoteAddress && !isInternal && !manager.PreserveExternalRequestId)))
        {
            headers[RequestId] = RequestIds.Next();
        }

        if (manager.Via.Length > 0)
        {
            headers.Via = StringValues.Concat(headers.Via, manager.Via);
        }

        Tls.ClientCertHeader.Apply(context, manager);
    }

    private const string EnvoyPrefix = "x-envoy-";

    /// <summary>
    /// Whether any request header is one of Envoy's own (<c>x-envoy-*</c>) other than the peer metadata exchange's,
    /// which the proxy itself adds. Most requests carry none, and then the headers that steer retries and timeouts, or
    /// that only internal requests may carry, need not be looked up or removed one by one.
    /// </summary>
    public static bool HasEnvoyHeader(IHeaderDictionary headers)
    {
        foreach (var header in headers)
        {
            var name = header.Key;
            if (name.StartsWith(EnvoyPrefix, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(Telemetry.PeerMetadataExchange.MetadataHeader, StringComparison.OrdinalIgnoreCase)
                && !name.Equals(Telemetry.PeerMetadataExchange.IdHeader, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Envoy's internal request: only a manager that uses the remote address judges it, for a request that arrived
    /// without <c>x-forwarded-for</c> from an internal address. A sidecar (<c>use_remote_address</c> false) counts no
    /// request as internal. Call before <see cref="Apply"/>, which appends to <c>x-forwarded-for</c>.
    /// </summary>
    public static bool IsInternalRequest(HttpContext context, ConnectionManagerModel manager) =>
        manager.UseRemoteAddress
        && StringValues.IsNullOrEmpty(context.Request.Headers[ForwardedFor])
        && IsInternal(context.Connection.RemoteIpAddress);

    /// <summary>Removes what only internal requests may carry: the x-envoy control headers and the route configuration's internal-only headers.</summary>
    public static void RemoveInternalOnly(IHeaderDictionary headers, IReadOnlyList<string> internalOnly)
    {
        // Most requests carry none: one pass over the headers instead of a removal per name.
        if (HasEnvoyHeader(headers))
        {
            foreach (var name in InternalControlHeaders)
            {
                headers.Remove(name);
            }
        }

        foreach (var name in internalOnly)
        {
            headers.Remove(name);
        }
    }

    /// <summary>Loopback and private (RFC 1918, IPv6 unique local) addresses count as internal, as in Envoy.</summary>
    public static bool IsInternal(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return true;
        }

        var bytes = address.GetAddressBytes();
        return address.AddressFamily == AddressFamily.InterNetwork
            ? bytes[0] == 10 || (bytes[0] == 172 && (bytes[1] & 0xF0) == 16) || (bytes[0] == 192 && bytes[1] == 168)
            : (bytes[0] & 0xFE) == 0xFC;
    }

    /// <summary>
    /// A gRPC <c>grpc-timeout</c> value (<c>100m</c>, <c>5S</c>: digits and a unit H, M, S, m, u or n); null when absent
    /// or malformed.
    /// </summary>
    public static TimeSpan? GrpcTimeout(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < 2 || value.Length > 9
            || !long.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var amount))
        {
            return null;
        }

        return value[^1] switch
        {
            'H' => TimeSpan.FromHours(amount),
            'M' => TimeSpan.FromMinutes(amount),
            'S' => TimeSpan.FromSeconds(amount),
            'm' => TimeSpan.FromMilliseconds(amount),
            'u' => TimeSpan.FromMicroseconds(amount),
            'n' => TimeSpan.FromTicks(amount / 100),
            _ => null,
        };
    }
}
