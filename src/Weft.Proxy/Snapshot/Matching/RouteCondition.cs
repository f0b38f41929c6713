using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Type.V3;
using RouteMatch = Weft.Xds.Envoy.Config.Route.V3.RouteMatch;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// Everything a route's <c>match</c> requires, all of which must hold: the path, headers, query parameters, a runtime
/// fraction (judged on the request's random value), gRPC, TLS context and dynamic metadata.
/// </summary>
internal sealed class RouteCondition
{
    private readonly HeaderMatch[] _headers;
    private readonly QueryParameterMatch[] _query;
    private readonly MetadataMatch[] _metadata;
    private readonly (ulong Numerator, ulong Denominator)? _fraction;
    private readonly bool _grpc;
    private readonly bool _requiresTls;

    private RouteCondition(PathMatch path, HeaderMatch[] headers, QueryParameterMatch[] query, MetadataMatch[] metadata, (ulong, ulong)? fraction, bool grpc, bool requiresTls)
    {
        Path = path;
        _headers = headers;
        _query = query;
        _metadata = metadata;
        _fraction = fraction;
        _grpc = grpc;
        _requiresTls = requiresTls;
    }

    public PathMatch Path { get; }

    public static RouteCondition Compile(RouteMatch match)
    {
        if (match.FilterState.Count > 0)
        {
            throw new XdsRejectedException("filter_state route matchers are not supported yet");
        }

        if (match.Cookies.Count > 0)
        {
            throw new XdsRejectedException("cookie route matchers are not supported yet");
        }

        (ulong, ulong)? fraction = null;
        if (match.RuntimeFraction?.DefaultValue is { } percent)
        {
            var denominator = percent.Denominator switch
            {
                FractionalPercent.Types.DenominatorType.Hundred => 100UL,
                FractionalPercent.Types.DenominatorType.TenThousand => 10_000UL,
                _ => 1_000_000UL,
            };
            fraction = (Math.Min(percent.Numerator, denominator), denominator);
        }

        // Plaintext requests present no certificate: a route asking for one (or a validated one) never matches them.
        var tls = match.TlsContext;
        var requiresTls = tls is not null && (tls.Presented == true || tls.Validated == true);
        return new RouteCondition(
            PathMatch.Compile(match),
            match.Headers.Select(HeaderMatch.Compile).ToArray(),
            match.QueryParameters.Select(QueryParameterMatch.Compile).ToArray(),
            match.DynamicMetadata.Select(MetadataMatch.Compile).ToArray(),
            fraction,
            match.Grpc is not null,
            requiresTls);
    }

    public bool Matches(RouteRequest request, ulong random)
    {
        if (!Path.Matches(request.PathOnly) || _requiresTls)
        {
            return false;
        }

        foreach (var header in _headers)
        {
            if (!header.Matches(request))
            {
                return false;
            }
        }

        foreach (var parameter in _query)
        {
            if (!parameter.Matches(request))
            {
                return false;
            }
        }

        foreach (var metadata in _metadata)
        {
            if (!metadata.Matches(request.Metadata))
            {
                return false;
            }
        }

        if (_grpc && !(request.Header("content-type")?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) ?? false))
        {
            return false;
        }

        return _fraction is not { } f || random % f.Denominator < f.Numerator;
    }
}
