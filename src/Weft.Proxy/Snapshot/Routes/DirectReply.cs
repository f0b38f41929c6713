namespace Weft.Proxy.Snapshot.Routes;

/// <summary>A <c>direct_response</c>: the proxy answers with this status and body itself.</summary>
internal sealed class DirectReply(int status, byte[] body) : RouteBehavior
{
    public int Status { get; } = status;

    public byte[] Body { get; } = body;
}
