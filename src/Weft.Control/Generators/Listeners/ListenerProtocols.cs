using Weft.Control.Registry;

namespace Weft.Control.Generators.Listeners;

/// <summary>Istio's mapping from a port protocol to a listener protocol; UDP and the like are not served.</summary>
internal static class ListenerProtocols
{
    public static ListenerProtocol Of(Protocol protocol) =>
        protocol.IsHttp() ? ListenerProtocol.Http
        : protocol.IsTcp() ? ListenerProtocol.Tcp
        : protocol == Protocol.Unsupported ? ListenerProtocol.Auto
        : ListenerProtocol.Unknown;

    /// <summary>TLS-carrying ports (HTTPS, TLS): their chains match SNI instead of TCP routes.</summary>
    public static bool IsTls(this Protocol protocol) => protocol is Protocol.Https or Protocol.Tls;
}
