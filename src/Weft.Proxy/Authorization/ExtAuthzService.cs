using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Type.Matcher.V3;
using HttpExtAuthz = Weft.Xds.Envoy.Extensions.Filters.Http.ExtAuthz.V3.ExtAuthz;

namespace Weft.Proxy.Authorization;

/// <summary>
/// An authorization service an ext_authz filter asks: through which cluster, within what time, and how much of the
/// request body goes along. <see cref="ExtAuthzHttpService"/> and <see cref="ExtAuthzGrpcService"/> say how.
/// </summary>
internal abstract class ExtAuthzService
{
    public required string Cluster { get; init; }

    /// <summary>How long the call may take; past it the call is an error. Zero waits without limit.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>The request body sent along (<c>with_request_body</c>): at most this many bytes; null sends none.</summary>
    public int? MaxRequestBytes { get; init; }

    /// <summary>Whether a longer body is cut at <see cref="MaxRequestBytes"/> rather than refused with 413.</summary>
    public bool AllowPartialBody { get; init; }

    public static bool Any(IReadOnlyList<StringMatch> matchers, string name)
    {
        foreach (var matcher in matchers)
        {
            if (matcher.Matches(name))
            {
                return true;
            }
        }

        return false;
    }

    protected static int? MaxBody(HttpExtAuthz filter)
    {
        if (filter.WithRequestBody is not { } body)
        {
            return null;
        }

        return body.MaxRequestBytes == 0
            ? throw new XdsRejectedException("with_request_body.max_request_bytes must be greater than 0")
            : (int)Math.Min(body.MaxRequestBytes, int.MaxValue);
    }

    protected static StringMatch[] Compile(ListStringMatcher? list) =>
        list is null ? [] : list.Patterns.Select(StringMatch.Compile).ToArray();
}
