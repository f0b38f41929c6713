using System.Globalization;
using System.Text;
using Weft.Api.GoCompat;
using Weft.Api.Model.Networking;

namespace Weft.Api.Validation.Traffic;

/// <summary>
/// Istio's warnings about VirtualService rules that can never match (<c>analyzeUnreachableHTTPRules</c> and the TCP
/// and TLS variants): rules after a catch-all rule, matches repeated from an earlier rule, and HTTP prefix matches
/// already covered by an earlier prefix match.
/// </summary>
internal static class RouteAnalysis
{
    public static void AnalyzeHttp(ValidationContext context, string path, IReadOnlyList<HTTPRoute>? routes)
    {
        if (routes is null || routes.Count == 0)
        {
            return;
        }

        var encountered = new Dictionary<string, int>(StringComparer.Ordinal);
        var emptyMatchAt = -1;
        List<PrefixMatch>? prefixMatches = null;
        for (var r = 0; r < routes.Count; r++)
        {
            var route = routes[r];
            var routePath = $"{path}[{r}]";
            var name = RouteName(route.Name, r);
            if (route.Match is not { Count: > 0 } matches)
            {
                if (emptyMatchAt >= 0)
                {
                    Unreachable(context, routePath, name, "only the last rule can have no matches");
                }

                emptyMatchAt = r;
                continue;
            }

            var duplicates = 0;
            for (var m = 0; m < matches.Count; m++)
            {
                var match = matches[m];
                var matchPath = $"{routePath}.match[{m}]";
                if (emptyMatchAt >= 0)
                {
                    Unreachable(context, matchPath, name, "route without matches defined before");
                    continue;
                }

                var key = HttpMatchKey(match);
                if (encountered.TryGetValue(key, out var earlier))
                {
                    Ineffective(context, matchPath, name, RouteName(match.Name, m), RouteName(routes[earlier].Name, earlier));
                    duplicates++;
                    continue;
                }

                encountered[key] = r;
                if (PrefixMatch.From(match, name, RouteName(match.Name, m), matchPath) is { } prefix)
                {
                    (prefixMatches ??= []).Add(prefix);
                }
            }

            if (duplicates == matches.Count)
            {
                Unreachable(context, routePath, name, "all matches used by prior rules");
            }
        }

        if (prefixMatches is { Count: > 1 })
        {
            for (var a = 0; a < prefixMatches.Count; a++)
            {
                var first = prefixMatches[a];
                for (var b = a + 1; b < prefixMatches.Count; b++)
                {
                    var later = prefixMatches[b];
                    if (string.Equals(later.Prefix, first.Prefix, StringComparison.Ordinal) || !first.Covers(later))
                    {
                        continue;
                    }

                    Ineffective(context, later.Path, later.RouteName, $"{later.MatchName} of prefix {later.Prefix}",
                        $"{first.MatchName} of prefix {first.Prefix} on {first.RouteName}");
                }
            }
        }
    }

    public static void AnalyzeTcp(ValidationContext context, string path, IReadOnlyList<TCPRoute>? routes)
    {
        if (routes is null || routes.Count == 0)
        {
            return;
        }

        AnalyzeL4(context, path, routes.Count, r => routes[r].Match?.Count ?? 0, (r, m) => L4MatchKey(routes[r].Match![m]));
    }

    public static void AnalyzeTls(ValidationContext context, string path, IReadOnlyList<TLSRoute>? routes)
    {
        if (routes is null || routes.Count == 0)
        {
            return;
        }

        AnalyzeL4(context, path, routes.Count, r => routes[r].Match?.Count ?? 0, (r, m) => TlsMatchKey(routes[r].Match![m]));
    }

    private static void AnalyzeL4(ValidationContext context, string path, int count, Func<int, int> matchCount, Func<int, int, string> key)
    {
        var encountered = new Dictionary<string, int>(StringComparer.Ordinal);
        var emptyMatchAt = -1;
        for (var r = 0; r < count; r++)
        {
            var routePath = $"{path}[{r}]";
            var name = RouteName(null, r);
            var matches = matchCount(r);
            if (matches == 0)
            {
                if (emptyMatchAt >= 0)
                {
                    Unreachable(context, routePath, name, "only the last rule can have no matches");
                }

                emptyMatchAt = r;
                continue;
            }

            var duplicates = 0;
            for (var m = 0; m < matches; m++)
            {
                var matchPath = $"{routePath}.match[{m}]";
                if (emptyMatchAt >= 0)
                {
                    Unreachable(context, matchPath, name, "route without matches defined before");
                    continue;
                }

                var k = key(r, m);
                if (encountered.TryGetValue(k, out var earlier))
                {
                    Ineffective(context, matchPath, name, RouteName(null, m), RouteName(null, earlier));
                    duplicates++;
                }
                else
                {
                    encountered[k] = r;
                }
            }

            if (duplicates == matches)
            {
                Unreachable(context, routePath, name, "all matches used by prior rules");
            }
        }
    }

    private static void Unreachable(ValidationContext context, string path, string rule, string reason) =>
        context.Warning(path, $"virtualService rule {rule} not used ({reason})");

    private static void Ineffective(ValidationContext context, string path, string rule, string match, string duplicateOf) =>
        context.Warning(path, $"virtualService rule {rule} match {match} is not used (duplicate/overlapping match in rule {duplicateOf})");

    // A named rule or match is shown quoted, an unnamed one by its index.
    private static string RouteName(string? name, int index) =>
        string.IsNullOrEmpty(name) ? "#" + index.ToString(CultureInfo.InvariantCulture) : GoStrconv.Quote(name);

    // Match identity as Istio compares it (its JSON form without the name): zero values and empty collections
    // count as absent, map order does not matter, and a StringMatch with nothing set differs from no StringMatch.
    private static string HttpMatchKey(HTTPMatchRequest match)
    {
        var sb = new StringBuilder(64);
        AppendMatch(sb, 'u', match.Uri);
        AppendMatch(sb, 's', match.Scheme);
        AppendMatch(sb, 'm', match.Method);
        AppendMatch(sb, 'a', match.Authority);
        AppendMatchMap(sb, 'h', match.Headers);
        AppendNumber(sb, 'p', match.Port);
        AppendMap(sb, 'l', match.SourceLabels);
        AppendList(sb, 'g', match.Gateways);
        AppendMatchMap(sb, 'q', match.QueryParams);
        if (match.IgnoreUriCase == true)
        {
            sb.Append('i');
        }

        AppendMatchMap(sb, 'w', match.WithoutHeaders);
        AppendText(sb, 'n', match.SourceNamespace);
        AppendText(sb, 'x', match.StatPrefix);
        return sb.ToString();
    }

    private static string L4MatchKey(L4MatchAttributes match)
    {
        var sb = new StringBuilder(32);
        AppendList(sb, 'd', match.DestinationSubnets);
        AppendNumber(sb, 'p', match.Port);
        AppendText(sb, 's', match.SourceSubnet);
        AppendMap(sb, 'l', match.SourceLabels);
        AppendList(sb, 'g', match.Gateways);
        AppendText(sb, 'n', match.SourceNamespace);
        return sb.ToString();
    }

    private static string TlsMatchKey(TLSMatchAttributes match)
    {
        var sb = new StringBuilder(32);
        AppendList(sb, 'h', match.SniHosts);
        AppendList(sb, 'd', match.DestinationSubnets);
        AppendNumber(sb, 'p', match.Port);
        AppendMap(sb, 'l', match.SourceLabels);
        AppendList(sb, 'g', match.Gateways);
        AppendText(sb, 'n', match.SourceNamespace);
        return sb.ToString();
    }

    private static void AppendString(StringBuilder sb, string value) =>
        sb.Append(value.Length.ToString(CultureInfo.InvariantCulture)).Append(':').Append(value);

    private static void AppendText(StringBuilder sb, char tag, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            sb.Append(tag);
            AppendString(sb, value);
        }
    }

    private static void AppendNumber(StringBuilder sb, char tag, long? value)
    {
        if (value is { } n and not 0)
        {
            sb.Append(tag).Append(n.ToString(CultureInfo.InvariantCulture)).Append(';');
        }
    }

    private static void AppendStringMatch(StringBuilder sb, StringMatch? match)
    {
        switch (StringMatches.KindOf(match))
        {
            case StringMatchKind.Exact: sb.Append('E'); AppendString(sb, match!.Exact!); break;
            case StringMatchKind.Prefix: sb.Append('P'); AppendString(sb, match!.Prefix!); break;
            case StringMatchKind.Regex: sb.Append('R'); AppendString(sb, match!.Regex!); break;
            default: sb.Append('0'); break;
        }
    }

    private static void AppendMatch(StringBuilder sb, char tag, StringMatch? match)
    {
        if (match is not null)
        {
            sb.Append(tag);
            AppendStringMatch(sb, match);
        }
    }

    private static void AppendMatchMap(StringBuilder sb, char tag, IReadOnlyDictionary<string, StringMatch>? map)
    {
        if (map is null || map.Count == 0)
        {
            return;
        }

        sb.Append(tag).Append('{');
        foreach (var key in SortedKeys(map.Keys, map.Count))
        {
            AppendString(sb, key);
            AppendStringMatch(sb, map[key]);
        }

        sb.Append('}');
    }

    private static void AppendMap(StringBuilder sb, char tag, IReadOnlyDictionary<string, string>? map)
    {
        if (map is null || map.Count == 0)
        {
            return;
        }

        sb.Append(tag).Append('{');
        foreach (var key in SortedKeys(map.Keys, map.Count))
        {
            AppendString(sb, key);
            AppendString(sb, map[key]);
        }

        sb.Append('}');
    }

    private static void AppendList(StringBuilder sb, char tag, IReadOnlyList<string>? list)
    {
        if (list is null || list.Count == 0)
        {
            return;
        }

        sb.Append(tag).Append('[');
        foreach (var item in list)
        {
            AppendString(sb, item);
        }

        sb.Append(']');
    }

    private static string[] SortedKeys(IEnumerable<string> keys, int count)
    {
        if (count == 1)
        {
            return [keys.First()];
        }

        var array = new string[count];
        var i = 0;
        foreach (var key in keys)
        {
            array[i++] = key;
        }

        Array.Sort(array, StringComparer.Ordinal);
        return array;
    }

    /// <summary>The parts of a prefix URI match that Istio's overlap check compares.</summary>
    private sealed class PrefixMatch
    {
        public required string RouteName { get; init; }

        public required string MatchName { get; init; }

        public required string Path { get; init; }

        public required string Prefix { get; init; }

        public long Port { get; init; }

        public required string Method { get; init; }

        public required string Authority { get; init; }

        public required Dictionary<string, string> Headers { get; init; }

        public required Dictionary<string, string> QueryParams { get; init; }

        public required Dictionary<string, string> WithoutHeaders { get; init; }

        public static PrefixMatch? From(HTTPMatchRequest match, string routeName, string matchName, string path)
        {
            if (match.Uri?.Prefix is not { Length: > 0 } prefix || StringMatches.KindOf(match.Uri) != StringMatchKind.Prefix)
            {
                return null;
            }

            var method = StringMatches.ExactOrPrefix(match.Method);
            return new PrefixMatch
            {
                RouteName = routeName,
                MatchName = matchName,
                Path = path,
                Prefix = prefix,
                Port = match.Port ?? 0,
                Method = method.Length == 0 ? "exact:GET" : method,
                Authority = StringMatches.ExactOrPrefix(match.Authority),
                Headers = Flatten(match.Headers),
                QueryParams = Flatten(match.QueryParams),
                WithoutHeaders = Flatten(match.WithoutHeaders),
            };
        }

        private static readonly Dictionary<string, string> Empty = new(StringComparer.Ordinal);

        private static Dictionary<string, string> Flatten(IReadOnlyDictionary<string, StringMatch>? map)
        {
            if (map is null || map.Count == 0)
            {
                return Empty;
            }

            var result = new Dictionary<string, string>(map.Count, StringComparer.Ordinal);
            foreach (var (key, value) in map)
            {
                result[key] = StringMatches.ExactOrPrefix(value);
            }

            return result;
        }

        /// <summary>Istio's <c>coveredValidation</c>: this earlier match takes every request <paramref name="later"/> would.</summary>
        public bool Covers(PrefixMatch later)
        {
            if (!later.Prefix.StartsWith(Prefix, StringComparison.Ordinal) || later.Port != Port)
            {
                return false;
            }

            if (Method != later.Method && !Method.StartsWith(later.Method, StringComparison.Ordinal))
            {
                return false;
            }

            if (Authority != later.Authority && !Authority.StartsWith(later.Authority, StringComparison.Ordinal))
            {
                return false;
            }

            return SameOrNarrower(Headers, later.Headers) && SameOrNarrower(QueryParams, later.QueryParams)
                && SameOrNarrower(WithoutHeaders, later.WithoutHeaders);
        }

        private static bool SameOrNarrower(Dictionary<string, string> mine, Dictionary<string, string> theirs)
        {
            if (mine.Count != theirs.Count)
            {
                return false;
            }

            foreach (var (key, value) in mine)
            {
                if (!theirs.TryGetValue(key, out var other))
                {
                    return false;
                }

                if (value != other && !value.StartsWith(other, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
