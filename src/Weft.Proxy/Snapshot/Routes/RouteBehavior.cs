namespace Weft.Proxy.Snapshot.Routes;

/// <summary>What a matched route does: forward to a cluster, redirect, answer directly, or (a route without an action) nothing.</summary>
internal abstract class RouteBehavior;

/// <summary>A route without an action: Envoy answers it as if nothing had matched (404).</summary>
internal sealed class NoAction : RouteBehavior
{
    public static readonly NoAction Instance = new();
}
