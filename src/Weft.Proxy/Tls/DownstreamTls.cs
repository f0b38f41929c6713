using Google.Protobuf;
using Weft.Proxy.Xds;
using Weft.Xds;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Extensions.TransportSockets.Tls.V3;

namespace Weft.Proxy.Tls;

/// <summary>A filter chain's transport socket: null for plaintext (none, or raw_buffer), the compiled DownstreamTlsContext for TLS.</summary>
internal static class DownstreamTls
{
    public static TlsSettings? Compile(TransportSocket? socket)
    {
        if (socket is null)
        {
            return null;
        }

        var type = socket.TypedConfig?.TypeUrl;
        if (type == TypeUrls.RawBuffer || (type is null && socket.Name == "envoy.transport_sockets.raw_buffer"))
        {
            return null;
        }

        if (type != TypeUrls.DownstreamTlsContext)
        {
            throw new XdsRejectedException($"transport socket {socket.Name} ({type ?? "no config"}) is not supported (raw_buffer, or tls with a DownstreamTlsContext)");
        }

        try
        {
            return TlsContextCompiler.Downstream(socket.TypedConfig!.Unpack<DownstreamTlsContext>());
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new XdsRejectedException($"its DownstreamTlsContext does not decode: {e.Message}");
        }
    }
}
