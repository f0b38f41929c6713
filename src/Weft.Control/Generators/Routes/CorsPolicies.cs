using System.Globalization;
using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Type.Matcher.V3;
using EnvoyCorsPolicy = Weft.Xds.Envoy.Extensions.Filters.Http.Cors.V3.CorsPolicy;

namespace Weft.Control.Generators.Routes;

/// <summary>A VirtualService <c>corsPolicy</c> as the CORS filter's per-route policy.</summary>
internal static class CorsPolicies
{
    public const string Ignore = "IGNORE";

    public static EnvoyCorsPolicy Translate(CorsPolicy cors)
    {
        var result = new EnvoyCorsPolicy
        {
            // Preflights from origins the policy does not allow go on to the application, as Envoy did before 1.30,
            // unless the user asks Envoy to answer them itself.
            ForwardNotMatchingPreflights = cors.UnmatchedPreflights != Ignore,
            FilterEnabled = Percentages.Runtime(Percentages.OfInteger(100)),
            AllowCredentials = cors.AllowCredentials,
            AllowHeaders = string.Join(',', cors.AllowHeaders ?? []),
            AllowMethods = string.Join(',', cors.AllowMethods ?? []),
            ExposeHeaders = string.Join(',', cors.ExposeHeaders ?? []),
        };

        if (cors.AllowOrigins is { } origins)
        {
            result.AllowOriginStringMatch.AddRange(origins.Select(StringMatchers.Convert).OfType<StringMatcher>());
        }
        else if (cors.AllowOrigin is { } exact)
        {
            result.AllowOriginStringMatch.AddRange(exact.Select(origin => new StringMatcher { Exact = origin }));
        }

        if (RouteDurations.Parse(cors.MaxAge) is { } maxAge)
        {
            result.MaxAge = maxAge.Seconds.ToString(CultureInfo.InvariantCulture);
        }

        return result;
    }
}
