using System.Globalization;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Config.Route.V3;

namespace Weft.Proxy.Snapshot.Matching;

/// <summary>
/// Envoy's <c>HeaderMatcher</c> with its exact semantics: a missing header fails every matcher (inverted or not) except
/// presence matchers, unless <c>treat_missing_header_as_empty</c> makes it an empty value; <c>invert_match</c> flips the
/// result of matching a present value; a matcher with no specifier checks presence.
/// </summary>
internal sealed class HeaderMatch
{
    private readonly StringMatch? _string;
    private readonly (long Start, long End)? _range;
    private readonly bool? _present;

    private HeaderMatch(string name, StringMatch? match, (long, long)? range, bool? present, bool invert, bool missingAsEmpty)
    {
        Name = name;
        _string = match;
        _range = range;
        _present = present;
        Invert = invert;
        MissingAsEmpty = missingAsEmpty;
    }

    public string Name { get; }

    public bool Invert { get; }

    public bool MissingAsEmpty { get; }

    public static HeaderMatch Compile(HeaderMatcher matcher)
    {
        if (matcher.Name.Length == 0)
        {
            throw new XdsRejectedException("a header matcher has no name");
        }

        var name = matcher.Name.ToLowerInvariant();
        StringMatch? match = null;
        (long, long)? range = null;
        bool? present = null;
        switch (matcher.HeaderMatchSpecifierCase)
        {
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.StringMatch:
                match = StringMatch.Compile(matcher.StringMatch);
                break;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.ExactMatch:
                match = StringMatch.Exact(matcher.ExactMatch);
                break;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.PrefixMatch:
                match = StringMatch.Prefix(matcher.PrefixMatch);
                break;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.SuffixMatch:
                match = StringMatch.Suffix(matcher.SuffixMatch);
                break;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.ContainsMatch:
                match = StringMatch.Contains(matcher.ContainsMatch);
                break;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.SafeRegexMatch:
                match = StringMatch.FullRegex(matcher.SafeRegexMatch.Regex);
                break;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.RangeMatch:
                range = (matcher.RangeMatch.Start, matcher.RangeMatch.End);
                break;
            case HeaderMatcher.HeaderMatchSpecifierOneofCase.PresentMatch:
                present = matcher.PresentMatch;
                break;
            default:
                present = true;
                break;
        }

        if (present is not null && matcher.TreatMissingHeaderAsEmpty)
        {
            throw new XdsRejectedException($"the header matcher for {name} sets treat_missing_header_as_empty with a presence match");
        }

        return new HeaderMatch(name, match, range, present, matcher.InvertMatch, matcher.TreatMissingHeaderAsEmpty);
    }

    /// <summary>A matcher that only asks for the header to be present (as <c>x-envoy-retriable-header-names</c> lists them).</summary>
    public static HeaderMatch Presence(string name) => new(name, null, null, true, false, false);

    public bool Matches(RouteRequest request) => MatchesValue(request.Header(Name));

    /// <summary>Matches a header's value as found (request headers, response headers); null when the header is absent.</summary>
    public bool Matches(string? value) => MatchesValue(value);

    /// <summary>Matches the header's value as found elsewhere (response headers, say); null when the header is absent.</summary>
    public bool MatchesValue(string? value)
    {
        if (value is null && !MissingAsEmpty)
        {
            // Absent: only "must be absent" matches (present_match false, or present_match true inverted).
            return _present is { } present && present == Invert;
        }

        value ??= string.Empty;
        bool matched;
        if (_present is { } wanted)
        {
            matched = wanted;
        }
        else if (_range is { } range)
        {
            matched = long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                && number >= range.Start && number < range.End;
        }
        else
        {
            matched = _string!.Matches(value);
        }

        return matched != Invert;
    }
}
