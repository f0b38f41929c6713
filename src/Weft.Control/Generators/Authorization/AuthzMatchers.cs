using Google.Protobuf.WellKnownTypes;
using Weft.Control.Generators.Routes;
using Weft.Xds.Envoy.Config.Core.V3;
using Weft.Xds.Envoy.Config.Route.V3;
using Weft.Xds.Envoy.Extensions.Path.Match.UriTemplate.V3;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Control.Generators.Authorization;

/// <summary>
/// How AuthorizationPolicy values become Envoy matchers, with Istio's wildcard rules: <c>*</c> alone means "any non-empty
/// value" (<c>.+</c>, or a presence match for headers), <c>*x</c> a suffix, <c>x*</c> a prefix, anything else exact.
/// Envoy refuses empty prefixes and suffixes, which is why the lone <c>*</c> is checked first.
/// </summary>
internal static class AuthzMatchers
{
    public const string JwtFilter = JwtClaimMatchers.JwtFilter;
    public const string JwtPayload = JwtClaimMatchers.PayloadKey;

    /// <summary>A value as a string matcher.</summary>
    public static StringMatcher String(string value) => String(value, string.Empty);

    /// <summary>
    /// A value as a string matcher with <paramref name="prefix"/> put before it (<c>spiffe://</c> for principals); a
    /// suffix pattern then becomes a regex, since the prefix is fixed but the middle is not.
    /// </summary>
    public static StringMatcher String(string value, string prefix)
    {
        if (value == "*")
        {
            return Regex(".+");
        }

        if (value.StartsWith('*'))
        {
            return prefix.Length == 0 ? Suffix(value[1..]) : Regex(prefix + ".*" + Quote(value[1..]));
        }

        return value.EndsWith('*') ? Prefix(prefix + value[..^1]) : Exact(prefix + value);
    }

    public static StringMatcher Regex(string regex) => new() { SafeRegex = StringMatchers.Regex(regex) };

    public static StringMatcher Exact(string value, bool ignoreCase = false) => new() { Exact = value, IgnoreCase = ignoreCase };

    public static StringMatcher Prefix(string value, bool ignoreCase = false) => new() { Prefix = value, IgnoreCase = ignoreCase };

    public static StringMatcher Suffix(string value, bool ignoreCase = false) => new() { Suffix = value, IgnoreCase = ignoreCase };

    /// <summary>A header value: <c>*</c> is presence; case-sensitive.</summary>
    public static HeaderMatcher Header(string name, string value) => HeaderOrHost(name, value, ignoreCase: false);

    /// <summary>A host (<c>:authority</c>): like a header, but case-insensitive.</summary>
    public static HeaderMatcher Host(string name, string value) => HeaderOrHost(name, value, ignoreCase: true);

    private static HeaderMatcher HeaderOrHost(string name, string value, bool ignoreCase)
    {
        if (value == "*")
        {
            return new HeaderMatcher { Name = name, PresentMatch = true };
        }

        var match = value.StartsWith('*') ? Suffix(value[1..], ignoreCase)
            : value.EndsWith('*') ? Prefix(value[..^1], ignoreCase)
            : Exact(value, ignoreCase);
        return new HeaderMatcher { Name = name, StringMatch = match };
    }

    public static PathMatcher Path(string value) => new() { Path = String(value) };

    /// <summary>Whether a path uses Istio's template operators <c>{*}</c> (one segment) or <c>{**}</c> (any number).</summary>
    public static bool IsPathTemplate(string path) => path.Contains("{*}", StringComparison.Ordinal) || path.Contains("{**}", StringComparison.Ordinal);

    /// <summary>An Istio path template as Envoy's URI template extension: <c>{*}</c> → <c>*</c>, <c>{**}</c> → <c>**</c>.</summary>
    public static TypedExtensionConfig PathTemplate(string path) => new()
    {
        Name = "uri-template",
        TypedConfig = Any.Pack(new UriTemplateMatchConfig { PathTemplate = path.Replace("{**}", "**", StringComparison.Ordinal).Replace("{*}", "*", StringComparison.Ordinal) }),
    };

    /// <summary>One value of one metadata key of a filter's namespace.</summary>
    public static MetadataMatcher Metadata(string filter, string key, ValueMatcher value)
    {
        var matcher = new MetadataMatcher { Filter = filter, Value = value };
        matcher.Path.Add(new MetadataMatcher.Types.PathSegment { Key = key });
        return matcher;
    }

    /// <summary>
    /// A metadata value at a path that may be a string or a list (JWT claims): it matches when the value, or one element of
    /// the list, matches.
    /// </summary>
    public static MetadataMatcher StringOrList(string filter, IEnumerable<string> path, ValueMatcher value)
    {
        var matcher = new MetadataMatcher
        {
            Filter = filter,
            Value = new ValueMatcher
            {
                OrMatch = new OrMatcher
                {
                    ValueMatchers = { new ValueMatcher { ListMatch = new ListMatcher { OneOf = value.Clone() } }, value },
                },
            },
        };
        foreach (var key in path)
        {
            matcher.Path.Add(new MetadataMatcher.Types.PathSegment { Key = key });
        }

        return matcher;
    }

    /// <summary>A list-element match on a metadata path (no plain string form).</summary>
    public static MetadataMatcher ListElement(string filter, IEnumerable<string> path, ValueMatcher value)
    {
        var matcher = new MetadataMatcher { Filter = filter, Value = new ValueMatcher { ListMatch = new ListMatcher { OneOf = value } } };
        foreach (var key in path)
        {
            matcher.Path.Add(new MetadataMatcher.Types.PathSegment { Key = key });
        }

        return matcher;
    }

    /// <summary>A claim of the validated JWT (jwt_authn's <c>payload</c>), as a single string value.</summary>
    public static MetadataMatcher JwtClaim(string claim, StringMatcher value)
    {
        var matcher = new MetadataMatcher { Filter = JwtFilter, Value = new ValueMatcher { StringMatch = value } };
        matcher.Path.Add(new MetadataMatcher.Types.PathSegment { Key = JwtPayload });
        matcher.Path.Add(new MetadataMatcher.Types.PathSegment { Key = claim });
        return matcher;
    }

    /// <summary>Several value matchers as one that matches when any does; a single one stays as it is.</summary>
    public static ValueMatcher Or(IReadOnlyList<ValueMatcher> matchers)
    {
        if (matchers.Count == 1)
        {
            return matchers[0];
        }

        var or = new OrMatcher();
        or.ValueMatchers.AddRange(matchers);
        return new ValueMatcher { OrMatch = or };
    }

    /// <summary>Any of the values, each a string matcher.</summary>
    public static ValueMatcher AnyString(IEnumerable<string> values) =>
        Or(values.Select(v => new ValueMatcher { StringMatch = String(v) }).ToArray());

    /// <summary>RE2-quotes a literal (Go's regexp.QuoteMeta: the same set of metacharacters).</summary>
    public static string Quote(string literal)
    {
        var builder = new System.Text.StringBuilder(literal.Length + 8);
        foreach (var c in literal)
        {
            if (@"\.+*?()|[]{}^$".Contains(c, StringComparison.Ordinal))
            {
                builder.Append('\\');
            }

            builder.Append(c);
        }

        return builder.ToString();
    }
}
