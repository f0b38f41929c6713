using Weft.Proxy.Snapshot.Matching;

namespace Weft.Proxy.Snapshot.Routes;

/// <summary>A virtual host: routes tried in order (the first that matches wins), its header edits and per-host options.</summary>
internal sealed record VirtualHostEntry(
    string Name,
    IReadOnlyList<string> Domains,
    IReadOnlyList<RouteEntry> Routes,
    HeaderMutation Request,
    HeaderMutation Response,
    bool IncludeRequestAttemptCount,
    bool IncludeAttemptCountInResponse,
    TlsRequirement RequireTls)
{
    public RouteEntry? FindRoute(RouteRequest request, ulong random)
    {
        foreach (var route in Routes)
        {
            if (route.Condition.Matches(request, random))
            {
                return route;
            }
        }

        return null;
    }
}

/// <summary>A virtual host's <c>require_tls</c>: plaintext requests are redirected to https (all, or external ones).</summary>
internal enum TlsRequirement
{
    None,
    ExternalOnly,
    All,
}
