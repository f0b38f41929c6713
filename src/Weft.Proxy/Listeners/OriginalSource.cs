using System.Net;
using Weft.Proxy.Snapshot.Listeners;

namespace Weft.Proxy.Listeners;

/// <summary>
/// Where a connection's upstream connections come from under Envoy's original_src listener filter: the client's own
/// address (with a port of the kernel's choosing), so the workload sees its real caller rather than the proxy, with the mark
/// that routes the replies back to the proxy. The upstream socket is transparent, as it binds an address that need not
/// be the host's.
/// </summary>
internal sealed record OriginalSource(IPEndPoint Address, uint Mark)
{
    /// <summary>The source for a connection's upstream connections; null when its listener has no original_src filter.</summary>
    public static OriginalSource? Of(ListenerModel listener, ConnectionFacts facts) =>
        listener.OriginalSource is { } filter
            ? new OriginalSource(new IPEndPoint(TransparentSockets.Plain(facts.SourceAddress), 0), filter.Mark)
            : null;

    public override string ToString() => Address.ToString();
}
