using Grpc.Core;

namespace Weft.Control.Xds;

/// <summary>Who opened an ADS stream, as the transport saw it: the peer address, whether it came over TLS, and its bearer token.</summary>
public sealed record XdsCaller(string Peer, bool OverTls = false, string? Authorization = null)
{
    public static XdsCaller Of(ServerCallContext context) => new(
        context.Peer,
        context.GetHttpContext().Request.IsHttps,
        context.RequestHeaders.GetValue("authorization"));
}
