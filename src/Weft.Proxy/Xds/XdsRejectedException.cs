namespace Weft.Proxy.Xds;

/// <summary>A resource the proxy cannot use; the message is the reason sent back to the control plane in the NACK.</summary>
internal sealed class XdsRejectedException(string message) : Exception(message);
