using Google.Protobuf.WellKnownTypes;
using Weft.Proxy.Snapshot.Matching;
using Weft.Proxy.Xds;
using Weft.Xds.Envoy.Type.Matcher.V3;

namespace Weft.Proxy.Authorization;

/// <summary>
/// Envoy's <c>ValueMatcher</c> on a metadata value, with Envoy's rules: each kind matches only a value of its kind (a
/// string matcher never matches a number), <c>present_match: true</c> matches any value that is there and
/// <c>present_match: false</c> matches nothing, a list matcher matches a list with one matching element, an or-matcher
/// when any of its matchers does. A missing value (<c>null</c> here) matches nothing.
/// </summary>
internal abstract class ValueMatch
{
    public abstract bool Matches(Value? value);

    public static ValueMatch Compile(ValueMatcher? matcher) => matcher?.MatchPatternCase switch
    {
        ValueMatcher.MatchPatternOneofCase.NullMatch => new Of(v => v?.KindCase == Value.KindOneofCase.NullValue),
        ValueMatcher.MatchPatternOneofCase.DoubleMatch => Double(matcher.DoubleMatch),
        ValueMatcher.MatchPatternOneofCase.StringMatch => String(StringMatch.Compile(matcher.StringMatch)),
        ValueMatcher.MatchPatternOneofCase.BoolMatch => Bool(matcher.BoolMatch),
        ValueMatcher.MatchPatternOneofCase.PresentMatch => Present(matcher.PresentMatch),
        ValueMatcher.MatchPatternOneofCase.ListMatch => List(matcher.ListMatch),
        ValueMatcher.MatchPatternOneofCase.OrMatch => Any(matcher.OrMatch.ValueMatchers.Select(Compile).ToArray()),
        _ => throw new XdsRejectedException("a value matcher sets no match pattern"),
    };

    private static ValueMatch String(StringMatch match) =>
        new Of(v => v?.KindCase == Value.KindOneofCase.StringValue && match.Matches(v.StringValue));

    private static ValueMatch Bool(bool wanted) => new Of(v => v?.KindCase == Value.KindOneofCase.BoolValue && v.BoolValue == wanted);

    private static ValueMatch Present(bool present) => new Of(v => present && v is not null && v.KindCase != Value.KindOneofCase.None);

    private static ValueMatch Double(DoubleMatcher matcher) => matcher.MatchPatternCase switch
    {
        DoubleMatcher.MatchPatternOneofCase.Range => new Of(v => v?.KindCase == Value.KindOneofCase.NumberValue
            && v.NumberValue >= matcher.Range.Start && v.NumberValue < matcher.Range.End),
        DoubleMatcher.MatchPatternOneofCase.Exact => new Of(v => v?.KindCase == Value.KindOneofCase.NumberValue && v.NumberValue == matcher.Exact),
        _ => throw new XdsRejectedException("a double matcher sets neither range nor exact"),
    };

    private static ValueMatch List(ListMatcher matcher)
    {
        if (matcher.MatchPatternCase != ListMatcher.MatchPatternOneofCase.OneOf)
        {
            throw new XdsRejectedException("a list matcher sets no one_of");
        }

        var element = Compile(matcher.OneOf);
        return new Of(v => v?.KindCase == Value.KindOneofCase.ListValue && v.ListValue.Values.Any(element.Matches));
    }

    private static ValueMatch Any(ValueMatch[] matchers) => new Of(v => Array.Exists(matchers, m => m.Matches(v)));

    private sealed class Of(Func<Value?, bool> predicate) : ValueMatch
    {
        public override bool Matches(Value? value) => predicate(value);
    }
}
