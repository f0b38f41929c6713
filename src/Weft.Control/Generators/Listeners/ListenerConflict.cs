namespace Weft.Control.Generators.Listeners;

/// <summary>
/// What happens when a service port lands on an outbound listener that already exists (Istio's conflict types, named
/// incoming-over-existing): HTTP and TCP mixing turns the listener into a detected one; TCP over TCP merges chains.
/// </summary>
internal enum ListenerConflict
{
    None,
    HttpOverTcp,
    TcpOverHttp,
    TcpOverTcp,
    TcpOverAuto,
    AutoOverHttp,
    AutoOverTcp,
}
