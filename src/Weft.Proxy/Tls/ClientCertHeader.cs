using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Weft.Proxy.Identity;
using Weft.Proxy.Snapshot.Listeners;
using Details = Weft.Xds.Envoy.Extensions.Filters.Network.HttpConnectionManager.V3.HttpConnectionManager.Types.ForwardClientCertDetails;

namespace Weft.Proxy.Tls;

/// <summary>
/// Envoy's <c>x-forwarded-client-cert</c>: removed (SANITIZE, the default, and every mode on a connection without a client
/// certificate, except ALWAYS_FORWARD_ONLY), passed on (FORWARD_ONLY), appended to (APPEND_FORWARD) or replaced
/// (SANITIZE_SET) with this hop's element <c>By=LOCAL_URI;Hash=SHA256_HEX;Subject="...";URI=...;DNS=...</c>, whose
/// optional parts <c>set_current_client_cert_details</c> chooses. Istio's inbound chains use APPEND_FORWARD with subject,
/// URI and DNS.
/// </summary>
internal static class ClientCertHeader
{
    public const string Name = "x-forwarded-client-cert";

    public static void Apply(HttpContext context, ConnectionManagerModel manager)
    {
        var headers = context.Request.Headers;
        var mode = manager.ForwardClientCert;
        if (mode == Details.AlwaysForwardOnly)
        {
            return;
        }

        var tls = context.Features.Get<DownstreamTlsFeature>();
        if (tls?.PeerCertificate is not { } peer || mode == Details.Sanitize)
        {
            headers.Remove(Name);
            return;
        }

        if (mode == Details.ForwardOnly)
        {
            return;
        }

        // The certificate is the connection's: its element (a hash, the SANs) is built once, not for every request.
        var element = tls.ClientCertElement(manager.ClientCertDetails)
            ?? tls.KeepClientCertElement(manager.ClientCertDetails, Element(peer, tls, manager));
        var existing = headers[Name].ToString();
        headers[Name] = mode == Details.AppendForward && existing.Length > 0 ? existing + "," + element : element;
    }

    private static string Element(System.Security.Cryptography.X509Certificates.X509Certificate2 peer, DownstreamTlsFeature tls, ConnectionManagerModel manager)
    {
        var details = manager.ClientCertDetails;
        var text = new StringBuilder();
        if (tls.LocalUri.Length > 0)
        {
            text.Append("By=").Append(tls.LocalUri).Append(';');
        }

        text.Append("Hash=").Append(Convert.ToHexStringLower(SHA256.HashData(peer.RawData)));
        if (details?.Subject == true)
        {
            text.Append(";Subject=\"").Append(peer.Subject.Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
        }

        if (details?.Uri == true)
        {
            foreach (var uri in SubjectAltNames.Uris(peer))
            {
                text.Append(";URI=").Append(uri);
            }
        }

        if (details?.Cert == true)
        {
            text.Append(";Cert=\"").Append(tls.EscapedPeerPem).Append('"');
        }

        if (details?.Dns == true)
        {
            foreach (var dns in SubjectAltNames.Dns(peer))
            {
                text.Append(";DNS=").Append(dns);
            }
        }

        return text.ToString();
    }
}
