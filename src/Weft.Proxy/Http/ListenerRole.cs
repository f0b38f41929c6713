namespace Weft.Proxy.Http;

/// <summary>Which of the proxy's sockets a connection came in on.</summary>
internal enum ListenerRole
{
    Outbound,
    Inbound,
    Admin,
    Health,
    Stats,

    /// <summary>A socket bound for an LDS listener (<c>bind_to_port</c>).</summary>
    Dynamic,
}

/// <summary>The role of a connection's socket, set by connection middleware when Kestrel accepts it.</summary>
internal sealed class ListenerRoleFeature(ListenerRole role)
{
    public ListenerRole Role { get; } = role;
}
