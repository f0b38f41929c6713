using Weft.Control.Generators.Clusters;

namespace Weft.Control.Generators.Listeners;

/// <summary>
/// One inbound chain of a port (Istio's FilterChainMatchOptions): the protocol it serves, what the connection must look
/// like to reach it, and whether the chain terminates the mesh's mTLS.
/// </summary>
internal sealed record InboundMatchOption(ListenerProtocol Protocol, string TransportProtocol, IReadOnlyList<string> ApplicationProtocols, bool Terminates = false)
{
    /// <summary>The ALPN a sidecar client offers for HTTP it sends over mTLS (<c>istio-http/1.0</c>, <c>istio-http/1.1</c>, <c>istio-h2</c>).</summary>
    public static readonly IReadOnlyList<string> MutualTlsHttpAlpn = ["istio-http/1.0", "istio-http/1.1", "istio-h2"];

    /// <summary>The ALPN a sidecar client offers for TCP it sends over mTLS.</summary>
    public static readonly IReadOnlyList<string> MutualTlsTcpAlpn = ["istio-peer-exchange", "istio"];

    /// <summary>Every ALPN value a sidecar client offers over mTLS, whatever it carries.</summary>
    public static readonly IReadOnlyList<string> AllMutualTlsAlpn = ["istio", "istio-peer-exchange", "istio-http/1.0", "istio-http/1.1", "istio-h2"];

    /// <summary>
    /// The chains of a port for its mTLS mode, in Istio's order. PERMISSIVE takes mesh mTLS (recognised by the ALPN
    /// sidecars offer) and plaintext side by side, and a TCP or detected port also passes other TLS through untouched;
    /// STRICT takes only TLS, which it terminates; DISABLE (and an unknown mode) takes only plaintext.
    /// </summary>
    public static IReadOnlyList<InboundMatchOption> For(ListenerProtocol protocol, MutualTlsMode mode) => (protocol, mode) switch
    {
        (ListenerProtocol.Http, MutualTlsMode.Strict) => [new(ListenerProtocol.Http, ChainOptions.Tls, [], Terminates: true)],
        (ListenerProtocol.Http, MutualTlsMode.Permissive) =>
        [
            new(ListenerProtocol.Http, ChainOptions.Tls, AllMutualTlsAlpn, Terminates: true),
            new(ListenerProtocol.Http, ChainOptions.RawBuffer, []),
        ],
        (ListenerProtocol.Http, _) => [new(ListenerProtocol.Http, ChainOptions.RawBuffer, [])],
        (ListenerProtocol.Auto, MutualTlsMode.Strict) =>
        [
            new(ListenerProtocol.Http, ChainOptions.Tls, MutualTlsHttpAlpn, Terminates: true),
            new(ListenerProtocol.Tcp, ChainOptions.Tls, [], Terminates: true),
        ],
        (ListenerProtocol.Auto, MutualTlsMode.Permissive) =>
        [
            new(ListenerProtocol.Http, ChainOptions.Tls, MutualTlsHttpAlpn, Terminates: true),
            new(ListenerProtocol.Http, ChainOptions.RawBuffer, ChainOptions.PlaintextHttpAlpn),
            new(ListenerProtocol.Tcp, ChainOptions.Tls, MutualTlsTcpAlpn, Terminates: true),
            new(ListenerProtocol.Tcp, ChainOptions.RawBuffer, []),
            new(ListenerProtocol.Tcp, ChainOptions.Tls, []),
        ],
        (ListenerProtocol.Auto, _) =>
        [
            new(ListenerProtocol.Http, ChainOptions.RawBuffer, ChainOptions.PlaintextHttpAlpn),
            new(ListenerProtocol.Tcp, ChainOptions.RawBuffer, []),
        ],
        (_, MutualTlsMode.Strict) => [new(ListenerProtocol.Tcp, ChainOptions.Tls, [], Terminates: true)],
        (_, MutualTlsMode.Permissive) =>
        [
            new(ListenerProtocol.Tcp, ChainOptions.Tls, AllMutualTlsAlpn, Terminates: true),
            new(ListenerProtocol.Tcp, ChainOptions.Tls, []),
            new(ListenerProtocol.Tcp, ChainOptions.RawBuffer, []),
        ],
        _ => [new(ListenerProtocol.Tcp, ChainOptions.RawBuffer, [])],
    };
}
