namespace Weft.Control.Generators.Listeners;

/// <summary>How a listener treats a port (Istio's ListenerProtocol): HTTP, opaque TCP, detected (both), or not served.</summary>
internal enum ListenerProtocol
{
    Unknown,
    Http,
    Tcp,
    Auto,
}
