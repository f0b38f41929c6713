using Weft.Proxy.Http;
using Weft.Proxy.Snapshot;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Listeners;

/// <summary>
/// For a connection whose requests name their own destination by Host (local mode's HTTP on the outbound and inbound
/// listeners), the listener and filter chain its last request was given. The next request of the connection with the
/// same authority and protocol under the same snapshot is given the same ones without choosing again: the choice
/// depends only on those and on the connection's own addresses. HTTP/2 requests of one connection may run at once, so
/// the choice is kept as one immutable entry replaced whole.
/// </summary>
internal sealed class RequestRouteMemo
{
    private Entry? _last;

    public Entry? Find(ProxySnapshot snapshot, string authority, bool http2) =>
        _last is { } last && ReferenceEquals(last.Snapshot, snapshot) && last.Http2 == http2 && string.Equals(last.Authority, authority, StringComparison.Ordinal)
            ? last
            : null;

    public void Remember(Entry entry) => _last = entry;

    internal sealed record Entry(ProxySnapshot Snapshot, string Authority, bool Http2, LocalDestination Destination, ListenerModel Listener, ConnectionFacts Facts, FilterChainModel? Chain);
}
