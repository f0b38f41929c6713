using System.Net;

namespace Weft.Proxy.Listeners;

/// <summary>
/// The one Kestrel endpoint behind which every listener bound from LDS sits: Kestrel cannot add endpoints once
/// started, so it binds this one at start and takes whatever connections <see cref="DynamicListeners"/> accepts.
/// </summary>
internal sealed class DynamicListenerEndPoint : EndPoint
{
    public static readonly DynamicListenerEndPoint Instance = new();

    private DynamicListenerEndPoint()
    {
    }

    public override string ToString() => "the listeners LDS asks to bind";
}
