namespace Weft.Control.Generators.Listeners;

/// <summary>One inbound chain of a port: the protocol it serves and what the connection must look like to reach it.</summary>
internal sealed record InboundMatchOption(ListenerProtocol Protocol, string TransportProtocol, IReadOnlyList<string> ApplicationProtocols)
{
    /// <summary>
    /// The chains of a port whose traffic is plaintext (Istio's options for mTLS mode DISABLE): HTTP and TCP ports get
    /// one chain; a detected port gets an HTTP chain for plaintext HTTP ALPN and a TCP chain for the rest.
    /// </summary>
    public static IReadOnlyList<InboundMatchOption> Plaintext(ListenerProtocol protocol) => protocol switch
    {
        ListenerProtocol.Http => [new(ListenerProtocol.Http, ChainOptions.RawBuffer, [])],
        ListenerProtocol.Auto =>
        [
            new(ListenerProtocol.Http, ChainOptions.RawBuffer, ChainOptions.PlaintextHttpAlpn),
            new(ListenerProtocol.Tcp, ChainOptions.RawBuffer, []),
        ],
        _ => [new(ListenerProtocol.Tcp, ChainOptions.RawBuffer, [])],
    };
}
