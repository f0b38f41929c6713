using Weft.Proxy.Telemetry.Expressions;

namespace Weft.Proxy.Tests.Telemetry.Expressions;

/// <summary>
/// The CEL subset the access log filter runs: each row an expression and its value as CEL prints it (<c>1u</c> for a
/// uint), or <c>error: …</c> with part of the message, over a request whose attributes <see cref="Request"/> fixes.
/// </summary>
public sealed class CelExpressionTests
{
    [Theory]
    // Arithmetic, CEL's overflow and division rules.
    [InlineData("1 + 2 * 3", "7")]
    [InlineData("(1 + 2) * 3", "9")]
    [InlineData("2 * 3 - 4 / 2", "4")]
    [InlineData("7 % 3", "1")]
    [InlineData("-7 / 2", "-3")]
    [InlineData("1 / 0", "error: divide by zero")]
    [InlineData("5u % 0u", "error: modulus by zero")]
    [InlineData("1u + 2u", "3u")]
    [InlineData("1 + 1u", "error: no matching overload for _+_ on int and uint")]
    [InlineData("1.5 * 2.0", "3")]
    [InlineData("9223372036854775807 + 1", "error: overflow")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    [InlineData("0u - 1u", "error: overflow")]
    [InlineData("0x10 == 16 && 1e3 == 1000.0 && .5 == 0.5", "true")]
    // Ordering and equality across numeric types; equality across other types is false, not an error.
    [InlineData("1 < 2u", "true")]
    [InlineData("-1 < 0u", "true")]
    [InlineData("18446744073709551615u > 9223372036854775807", "true")]
    [InlineData("2.5 > 2", "true")]
    [InlineData("1 == 1.0", "true")]
    [InlineData("1u == 1", "true")]
    [InlineData("1 == 'a'", "false")]
    [InlineData("1 < 'a'", "error: no matching overload for _<_ on int and string")]
    [InlineData("'a' < 'b'", "true")]
    [InlineData("null == null", "true")]
    [InlineData("1 < 2 == true", "true")]
    // Strings: quotes, escapes, raw and triple-quoted literals, code points.
    [InlineData("\"abc\" == 'abc'", "true")]
    [InlineData("'a\\tb' == \"a\\u0009b\"", "true")]
    [InlineData("'\\x41\\101\\U0001F600'.size()", "3")]
    [InlineData("r'a\\tb'.size()", "4")]
    [InlineData("'''it's'''", "it's")]
    [InlineData("size('héllo')", "5")]
    [InlineData("'ab' + 'cd'", "abcd")]
    // Lists and maps: literals, size, index, in, equality.
    [InlineData("size([1, 2, 3])", "3")]
    [InlineData("size({'a': 1, 'b': 2})", "2")]
    [InlineData("2 in [1, 2, 3]", "true")]
    [InlineData("4 in [1, 2, 3]", "false")]
    [InlineData("2.0 in [1, 2, 3]", "true")]
    [InlineData("'a' in {'a': 1}", "true")]
    [InlineData("'b' in {'a': 1}", "false")]
    [InlineData("'GET' in ['GET', 'HEAD'] && request.method in ['GET']", "true")]
    [InlineData("{'a': 1}['a']", "1")]
    [InlineData("{'a': 1}.a", "1")]
    [InlineData("{1: 'one'}[1u]", "one")]
    [InlineData("{'a': 1}['b']", "error: no such key")]
    [InlineData("[1, 2][5]", "error: index out of bounds")]
    [InlineData("[1, 2] + [3] == [1, 2, 3]", "true")]
    [InlineData("{'a': [1]} == {'a': [1]}", "true")]
    [InlineData("{'a': 1, 'a': 2}", "error: repeated map key")]
    // && and || are commutative over errors, and short-circuit.
    [InlineData("true && false", "false")]
    [InlineData("false && 1 / 0 == 1", "false")]
    [InlineData("1 / 0 == 1 && false", "false")]
    [InlineData("1 / 0 == 1 && true", "error: divide by zero")]
    [InlineData("true || 1 / 0 == 1", "true")]
    [InlineData("1 / 0 == 1 || true", "true")]
    [InlineData("1 / 0 == 1 || false", "error: divide by zero")]
    [InlineData("1 && true", "error: no matching overload for _&&_ on int")]
    [InlineData("request.referer == 'x' || response.code == 503", "true")]
    [InlineData("!true", "false")]
    [InlineData("!1", "error: no matching overload for !_ on int")]
    [InlineData("true ? 'y' : 'n'", "y")]
    [InlineData("false ? 1 / 0 : 2", "2")]
    [InlineData("1 ? 2 : 3", "error: no matching overload for _?_:_")]
    // Functions.
    [InlineData("'hello'.startsWith('he') && 'hello'.endsWith('lo') && 'hello'.contains('ell')", "true")]
    [InlineData("'hello'.startsWith(1)", "error: no matching overload for startsWith")]
    [InlineData("'hello'.matches('l+')", "true")]
    [InlineData("matches('hello', '^l')", "false")]
    [InlineData("request.path.matches('^/api/v[0-9]+')", "true")]
    [InlineData("'GET'.matches(request.method)", "true")]
    [InlineData("'x'.matches('(' + 'a')", "error: invalid regular expression")]
    [InlineData("int('42') + 1", "43")]
    [InlineData("int('x')", "error: cannot convert 'x' to int")]
    [InlineData("int(2.9) == 2 && int(5u) == 5", "true")]
    [InlineData("uint(-1)", "error: uint conversion out of range")]
    [InlineData("double(1) / 2.0", "0.5")]
    [InlineData("string(42) + string(true) + string(2u)", "42true2")]
    [InlineData("'AbC-1'.lowerAscii() + 'x'.upperAscii()", "abc-1X")]
    // Durations and timestamps.
    [InlineData("duration('1s') < duration('1500ms')", "true")]
    [InlineData("duration('1m') == duration('60s') && duration('1h30m') == duration('90m')", "true")]
    [InlineData("string(duration('1.5s'))", "1.5s")]
    [InlineData("duration('1x')", "error: invalid duration '1x'")]
    [InlineData("request.duration > duration('1s') && request.duration < duration('2s')", "true")]
    [InlineData("request.time > timestamp('2020-01-01T00:00:00Z')", "true")]
    [InlineData("request.duration > 1", "error: no matching overload for _>_")]
    // has(): presence, never an error for what is absent.
    [InlineData("has({'a': 1}.a)", "true")]
    [InlineData("has({'a': 1}.b)", "false")]
    [InlineData("has(request.headers['x-log'])", "true")]
    [InlineData("has(request.headers.missing)", "false")]
    [InlineData("has(request.referer)", "false")]
    [InlineData("has(request.method)", "true")]
    // Attributes: a missing one is an error, not null.
    [InlineData("request.headers['x-log'] == 'yes'", "true")]
    [InlineData("request.headers['nope'] == 'yes'", "error: no such key")]
    [InlineData("response.code >= 400", "true")]
    [InlineData("response.code >= 400 && request.method == 'GET'", "true")]
    [InlineData("request.referer == 'x'", "error: missing")]
    [InlineData("request.referer == null", "error: missing")]
    [InlineData("request.foo", "error: no such attribute: request.foo")]
    [InlineData("request == 1", "error: request is only readable by its fields")]
    [InlineData("unknown_var == 1", "error: undeclared reference to 'unknown_var'")]
    [InlineData("request.path.startsWith('/api') && source.port == 4242", "true")]
    [InlineData("connection.mtls", "false")]
    public void Evaluates(string expression, string expected)
    {
        var value = CelExpression.Parse(expression).Evaluate(Request);
        if (expected.StartsWith("error: ", StringComparison.Ordinal))
        {
            Assert.True(value.IsError, $"{expression} = {value}, expected an error");
            Assert.Contains(expected["error: ".Length..], value.ErrorMessage, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal(expected, value.ToString());
        }
    }

    [Theory]
    [InlineData("1 +", "at column 4: unexpected end of expression")]
    [InlineData("'abc", "at column 1: unterminated string literal")]
    [InlineData("'\\q'", "invalid escape \\q")]
    [InlineData("b'abc'", "bytes literals are not supported")]
    [InlineData("foo(1)", "at column 1: unknown function foo()")]
    [InlineData("size(1, 2)", "no overload of size(2 arguments)")]
    [InlineData("[1, 2].all(x, x > 0)", "the comprehension macro all() is not supported")]
    [InlineData("request.headers.exists(h, h == 'x')", "the comprehension macro exists() is not supported")]
    [InlineData("has(1)", "has() takes one field selection")]
    [InlineData("'a'.matches('(')", "invalid regular expression '('")]
    [InlineData("request.path)", "at column 13: unexpected ')'")]
    [InlineData("1 ? 2", "expected ':'")]
    [InlineData("9223372036854775808", "integer literal 9223372036854775808 is out of range")]
    [InlineData("Msg{a: 1}", "message construction")]
    [InlineData("1 @ 2", "at column 3: unexpected character '@'")]
    [InlineData("if", "reserved identifier 'if'")]
    [InlineData("", "unexpected end of expression")]
    public void Refuses_what_does_not_parse_with_a_message_naming_the_column(string expression, string message)
    {
        var error = Assert.Throws<FormatException>(() => CelExpression.Parse(expression));
        Assert.StartsWith($"CEL expression \"{expression}\" does not parse: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("response.code >= 400", true)]
    [InlineData("response.code < 400", false)]
    [InlineData("response.code", false)] // not a bool
    [InlineData("request.referer == 'x'", false)] // an error
    [InlineData("'yes'", false)]
    public void A_filter_passes_only_on_boolean_true(string expression, bool passes) =>
        Assert.Equal(passes, CelExpression.Parse(expression).IsTrue(Request));

    [Fact]
    public void Equal_texts_make_equal_expressions() =>
        Assert.Equal(CelExpression.Parse("response.code >= 400"), CelExpression.Parse("response.code >= 400"));

    private static readonly FakeAttributes Request = new(new Dictionary<CelAttribute, CelValue>
    {
        [CelAttribute.RequestPath] = CelValue.String("/api/v1/items?page=2"),
        [CelAttribute.RequestMethod] = CelValue.String("GET"),
        [CelAttribute.RequestHeaders] = CelValue.Map(new CelLiteralMap(new Dictionary<CelValue, CelValue>
        {
            [CelValue.String("x-log")] = CelValue.String("yes"),
            [CelValue.String("user-agent")] = CelValue.String("curl/8"),
        })),
        [CelAttribute.RequestDuration] = CelValue.Duration(TimeSpan.FromMilliseconds(1500)),
        [CelAttribute.RequestTime] = CelValue.Timestamp(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.Zero)),
        [CelAttribute.ResponseCode] = CelValue.Int(503),
        [CelAttribute.SourcePort] = CelValue.Int(4242),
        [CelAttribute.ConnectionMtls] = CelValue.False,
    });

    private sealed class FakeAttributes(Dictionary<CelAttribute, CelValue> values) : ICelActivation
    {
        public CelValue Resolve(CelAttribute attribute) =>
            values.TryGetValue(attribute, out var value) ? value : CelValue.Error($"the attribute {attribute} is missing");
    }
}
