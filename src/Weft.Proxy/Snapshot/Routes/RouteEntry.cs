using Weft.Proxy.Snapshot.Filters;
using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>One route of a virtual host: its condition, what it does, and its own header edits.</summary>
internal sealed record RouteEntry(string Name, RouteCondition Condition, RouteBehavior Behavior, HeaderMutation Request, HeaderMutation Response)
{
    /// <summary>The route's <c>typed_per_filter_config</c> (fault and CORS overrides).</summary>
    public FilterOverrides Filters { get; init; } = FilterOverrides.None;

    /// <summary>The route's <c>request_body_buffer_limit</c>; null leaves the virtual host's or the listener's.</summary>
    public ulong? BodyBufferLimit { get; init; }
}
