using System.Security.Cryptography.X509Certificates;
using Grpc.Core;

namespace Weft.Control.Xds;

/// <summary>
/// Who opened an ADS stream, as the transport saw it: the peer address, whether it came over TLS, its bearer token, and
/// the client certificate it presented (already checked to chain to the CA).
/// </summary>
public sealed record XdsCaller(string Peer, bool OverTls = false, string? Authorization = null, X509Certificate2? Certificate = null)
{
    public static XdsCaller Of(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        return new(context.Peer, http.Request.IsHttps, context.RequestHeaders.GetValue("authorization"), http.Connection.ClientCertificate);
    }
}
