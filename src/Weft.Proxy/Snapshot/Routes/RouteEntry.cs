using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>One route of a virtual host: its condition, what it does, and its own header edits.</summary>
internal sealed record RouteEntry(string Name, RouteCondition Condition, RouteBehavior Behavior, HeaderMutation Request, HeaderMutation Response);
