using Weft.Api.Model.Networking;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Routes;

/// <summary>
/// Header matches on <c>@request.auth.claims.NAME</c> (nested: <c>.a.b</c> or <c>[a][b]</c>) route on a validated JWT's
/// claims, which the jwt_authn filter leaves in dynamic metadata under <c>payload</c>, instead of on a header.
/// </summary>
internal static class JwtClaimMatchers
{
    public const string Prefix = "@request.auth.claims";
    public const string JwtFilter = "envoy.filters.http.jwt_authn";
    public const string PayloadKey = "payload";

    /// <summary>The claim path a header name names, or null when it is an ordinary header.</summary>
    public static IReadOnlyList<string>? Claims(string headerName)
    {
        if (!headerName.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var rest = headerName[Prefix.Length..];
        if (rest.Length > 1 && rest[0] == '.')
        {
            return rest[1..].Split('.');
        }

        if (rest.Length > 2 && rest[0] == '[' && rest[^1] == ']')
        {
            return rest[1..^1].Split("][");
        }

        return null;
    }

    /// <summary>
    /// A matcher on the claim: it matches a string claim equal to the value, or a list claim holding one such string
    /// (groups, scopes), since a JWT claim may be either.
    /// </summary>
    public static MetadataMatcher For(IReadOnlyList<string> claims, StringMatch? match)
    {
        var value = new ValueMatcher { StringMatch = StringMatchers.Convert(match) ?? new StringMatcher() };
        var matcher = new MetadataMatcher
        {
            Filter = JwtFilter,
            Value = new ValueMatcher
            {
                OrMatch = new OrMatcher
                {
                    ValueMatchers =
                    {
                        new ValueMatcher { ListMatch = new ListMatcher { OneOf = value.Clone() } },
                        value,
                    },
                },
            },
        };
        matcher.Path.Add(new MetadataMatcher.Types.PathSegment { Key = PayloadKey });
        foreach (var claim in claims)
        {
            matcher.Path.Add(new MetadataMatcher.Types.PathSegment { Key = claim });
        }

        return matcher;
    }
}
