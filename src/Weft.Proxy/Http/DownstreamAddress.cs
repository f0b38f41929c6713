using System.Net;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Http;

/// <summary>
/// The client address Envoy's connection manager trusts (what RBAC's <c>remote_ip</c> and Istio's
/// <c>remoteIpBlocks</c> see): with <c>use_remote_address</c> the connection's peer, unless trusted hops are configured,
/// then the X-Forwarded-For entry that many hops before it; without, the X-Forwarded-For entry <c>xff_num_trusted_hops</c>
/// from the right (the last one by default). When X-Forwarded-For has no such entry, or it is not an address, the
/// connection's peer.
/// </summary>
internal static class DownstreamAddress
{
    /// <summary>Computed before the connection manager appends the peer to X-Forwarded-For.</summary>
    public static IPAddress Remote(HttpContext context, ConnectionManagerModel manager)
    {
        var peer = context.Connection.RemoteIpAddress ?? IPAddress.Loopback;
        if (manager.UseRemoteAddress && manager.XffNumTrustedHops == 0)
        {
            return peer;
        }

        var skip = manager.UseRemoteAddress ? (int)manager.XffNumTrustedHops - 1 : (int)manager.XffNumTrustedHops;
        return FromForwardedFor(context.Request.Headers[RequestHeaders.ForwardedFor].ToString(), skip) ?? peer;
    }

    /// <summary>The entry <paramref name="skip"/> places from the right of an X-Forwarded-For value; null when there is none.</summary>
    public static IPAddress? FromForwardedFor(string header, int skip)
    {
        if (header.Length == 0)
        {
            return null;
        }

        var entries = header.Split(',');
        var index = entries.Length - 1 - skip;
        return index >= 0 && IPAddress.TryParse(entries[index].Trim(), out var address) ? address : null;
    }
}
