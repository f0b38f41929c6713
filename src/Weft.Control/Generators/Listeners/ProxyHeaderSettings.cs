using Weft.Control.Model;
using Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// ProxyConfig <c>proxyHeaders</c> as istiod 1.24 applies them (its GetProxyHeaders): the proxy's own ProxyConfig when
/// it sent one, else the mesh's <c>defaultConfig</c>; here the connection manager settings they make. Proxyless gRPC
/// clients' connection managers take none of it.
/// </summary>
internal static class ProxyHeaderSettings
{
    /// <summary>The Server header inbound and gateway connection managers set by default.</summary>
    public const string IstioServerName = "istio-envoy";

    public static ProxyHeaders For(ProxyNode proxy, MeshConfig mesh) => proxy.ProxyHeaders ?? mesh.ProxyHeaders;

    /// <summary>
    /// Sets what every connection manager of a proxy takes from its proxyHeaders and returns it:
    /// <list type="bullet">
    /// <item>the Server header, <c>server.value</c>, else <see cref="IstioServerName"/> on inbound and gateway connection
    /// managers and none on sidecar outbound ones, where Envoy's <c>envoy</c> stays (a difference Istio keeps for
    /// compatibility); none at all with <c>server.disabled</c>, which also passes the application's own through
    /// instead of Envoy's default, OVERWRITE;</item>
    /// <item><c>generate_request_id</c>: false with <c>requestId.disabled</c>, else unset (Envoy generates request ids).</item>
    /// </list>
    /// </summary>
    public static HttpConnectionManager Apply(HttpConnectionManager manager, ProxyHeaders headers, bool sidecarOutbound)
    {
        manager.ServerName = headers.ServerDisabled ? string.Empty
            : headers.ServerValue.Length > 0 ? headers.ServerValue
            : sidecarOutbound ? string.Empty
            : IstioServerName;
        manager.ServerHeaderTransformation = headers.ServerDisabled
            ? HttpConnectionManager.Types.ServerHeaderTransformation.PassThrough
            : HttpConnectionManager.Types.ServerHeaderTransformation.Overwrite;
        manager.GenerateRequestId = headers.RequestIdDisabled ? false : null;
        return manager;
    }

    /// <summary>A sidecar inbound connection manager's XFCC handling: <c>forwardedClientCert</c>, APPEND_FORWARD by default.</summary>
    public static HttpConnectionManager.Types.ForwardClientCertDetails ForwardClientCert(ProxyHeaders headers) =>
        headers.ForwardedClientCert ?? HttpConnectionManager.Types.ForwardClientCertDetails.AppendForward;

    /// <summary>
    /// What a sidecar inbound connection manager puts in XFCC: <c>setCurrentClientCertDetails</c>, where subject, URI and
    /// DNS default to true and the certificate and chain to false.
    /// </summary>
    public static HttpConnectionManager.Types.SetCurrentClientCertDetails ClientCertDetails(ProxyHeaders headers)
    {
        var details = headers.SetCurrentClientCertDetails;
        return new HttpConnectionManager.Types.SetCurrentClientCertDetails
        {
            Subject = details.Subject ?? true,
            Uri = details.Uri ?? true,
            Dns = details.Dns ?? true,
            Cert = details.Cert ?? false,
            Chain = details.Chain ?? false,
        };
    }
}
