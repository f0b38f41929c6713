using System.Net;
using System.Net.Security;
using Weft.Proxy.Xds;
using Weft.Xds.Istio.Envoy.Config.Filter.Http.Alpn.V2Alpha1;

namespace Weft.Proxy.Snapshot.Filters;

/// <summary>
/// Istio's <c>istio.alpn</c> filter, compiled: the ALPN list an upstream TLS connection offers instead of its context's,
/// by the HTTP version the request goes upstream with, so that the server's sidecar picks its HTTP filter chain
/// (<c>istio-http/1.1</c>, <c>istio-h2</c>). A version without an entry keeps the context's list; so does a cluster whose
/// Istio metadata says <c>alpn_override: "false"</c> (a DestinationRule originating its own TLS).
/// </summary>
internal sealed class AlpnOverrides
{
    private readonly SslApplicationProtocol[]?[] _byProtocol;

    private AlpnOverrides(SslApplicationProtocol[]?[] byProtocol) => _byProtocol = byProtocol;

    public static AlpnOverrides Compile(FilterConfig config, string name)
    {
        var byProtocol = new SslApplicationProtocol[]?[3];
        foreach (var entry in config.AlpnOverride)
        {
            var index = (int)entry.UpstreamProtocol;
            if (index is < 0 or > 2)
            {
                throw new XdsRejectedException($"HTTP filter {name}: alpn_override upstream_protocol {entry.UpstreamProtocol} is not HTTP10, HTTP11 or HTTP2");
            }

            if (entry.AlpnOverride_.Any(p => p.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(p) > 255))
            {
                throw new XdsRejectedException($"HTTP filter {name}: alpn_override for {entry.UpstreamProtocol} has a protocol name that is empty or longer than 255 bytes");
            }

            // The first entry for a protocol wins, as Envoy inserts into a map that keeps the first key.
            byProtocol[index] ??= entry.AlpnOverride_.Count == 0 ? null : entry.AlpnOverride_.Select(p => new SslApplicationProtocol(p)).ToArray();
        }

        return new AlpnOverrides(byProtocol);
    }

    /// <summary>The list to offer for a request going upstream as <paramref name="version"/>; null keeps the context's.</summary>
    public IReadOnlyList<SslApplicationProtocol>? For(Version version) =>
        version.Major >= 2 ? _byProtocol[2]
        : version == HttpVersion.Version10 ? _byProtocol[0]
        : _byProtocol[1];
}
