using Weft.Proxy.Http;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Listeners;

/// <summary>
/// The listener and HTTP filter chain a connection was given when it was accepted (a connection feature): requests on
/// it use that chain's connection manager instead of choosing one per request, until the configuration changes; then
/// the next request chooses again from the same connection facts, so no connection keeps serving a configuration that
/// is gone (Envoy drains such connections).
/// </summary>
/// <param name="Destination">The connection's original destination (captured, or the authority of a CONNECT); null
/// when only the requests can tell (a listener bound by the proxy: the Host names it, as in local mode).</param>
/// <param name="Facts">What the chain was chosen by (destination, source, transport, ALPN, SNI).</param>
/// <param name="Snapshot">The configuration the chain belongs to.</param>
internal sealed record ConnectionRoute(ListenerModel Listener, FilterChainModel Chain, LocalDestination? Destination, ConnectionFacts Facts, Snapshot.ProxySnapshot Snapshot);
