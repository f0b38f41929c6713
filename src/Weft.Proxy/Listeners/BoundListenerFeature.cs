namespace Weft.Proxy.Listeners;

/// <summary>The LDS listener whose socket (bound by the proxy itself) accepted the connection.</summary>
internal sealed record BoundListenerFeature(string Name);
