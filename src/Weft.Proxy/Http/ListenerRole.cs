namespace Weft.Proxy.Http;

/// <summary>Which of the proxy's sockets a connection came in on.</summary>
internal enum ListenerRole
{
    Outbound,
    Inbound,
    Admin,
    Health,
    Stats,
}

/// <summary>The role of a connection's socket, set by connection middleware when Kestrel accepts it.</summary>
internal sealed class ListenerRoleFeature(ListenerRole role)
{
    public ListenerRole Role { get; } = role;
}
