namespace Weft.Proxy.Snapshot.Listeners;

/// <summary>
/// What a listener's listener filters learn from a connection's first bytes before a filter chain is chosen:
/// <c>tls_inspector</c> (TLS, server name, ALPN) and <c>http_inspector</c> (plaintext HTTP/1.x or h2c), each possibly
/// switched off for some destination ports (<c>filter_disabled</c>), and how long they may wait for the client
/// (<c>listener_filters_timeout</c>: 15 s when unset, 0 for no limit). When the wait runs out, the connection goes on
/// with what is known if <c>continue_on_listener_filters_timeout</c> says so, and is closed otherwise.
/// </summary>
internal sealed record ListenerInspection(PortPredicate? Tls, PortPredicate? Http, TimeSpan Timeout, bool ContinueOnTimeout)
{
    /// <summary>Envoy's <c>listener_filters_timeout</c> when the listener sets none.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>No listener filters: nothing is read before the chain is chosen.</summary>
    public static readonly ListenerInspection None = new(null, null, DefaultTimeout, false);

    /// <summary>The inspectors that run for a connection to <paramref name="destinationPort"/>.</summary>
    public Inspectors For(int destinationPort) => new(
        Tls is not null && !Tls.Matches(destinationPort),
        Http is not null && !Http.Matches(destinationPort));
}

/// <summary>Which inspectors look at a connection.</summary>
internal readonly record struct Inspectors(bool Tls, bool Http)
{
    public bool Any => Tls || Http;
}
