using Weft.Api.Validation.Security;

namespace Weft.Api.Tests.Validation.Security;

public sealed class CelSyntaxTests
{
    [Theory]
    [InlineData("response.code >= 400 && response.code < 500")]
    [InlineData("request.headers['x-debug'] == 'true' || !has(request.headers.foo)")]
    [InlineData("a ? b : c ? d : e")]
    [InlineData("-9223372036854775808")]
    [InlineData("9223372036854775807")]
    [InlineData("18446744073709551615u")]
    [InlineData("0xFFu + 0x1F")]
    [InlineData("1.5e-3 * .5 / 2.0 % 3")]
    [InlineData("[1, 2, 3,].all(x, x > 0) && {'a': 1,}.exists(k, k == 'a')")]
    [InlineData("[1, 2].exists_one(x, x == 1) && [1].map(x, x * 2) == [2] && [1].map(x, x > 0, x) == [1]")]
    [InlineData("[1, 2].filter(x, x > 1).size() == 1")]
    [InlineData("google.protobuf.Timestamp{seconds: 1}")]
    [InlineData(".google.protobuf.Duration{}")]
    [InlineData("a.`b-c` == 1")]
    [InlineData("r'\\d+' + R\"raw\" + '''multi\nline''' + \"\"\"x\"\"\"")]
    [InlineData("b'\\xff\\377' == b\"abc\" && br'\\x'.size() > 0")]
    [InlineData("'\\u00e9\\U0001F600\\x41\\101\\n\\t\\\\\\'\\\"\\?\\`'")]
    [InlineData("x in [1, 2] // a comment")]
    [InlineData("a.if == 1")]
    [InlineData("!-1 == false")]
    [InlineData("size(x) == 0u && int(y) == -1 && double(z) == 1e10")]
    [InlineData("null == null && true != false")]
    public void Valid_expressions(string expression)
    {
        Assert.Null(CelSyntax.Check(expression));
    }

    [Theory]
    [InlineData("", "mismatched input '<EOF>'")]
    [InlineData(")++++", "mismatched input ')'")]
    [InlineData("a +", "mismatched input '<EOF>'")]
    [InlineData("a b", "extraneous input 'b'")]
    [InlineData("9223372036854775808", "invalid int literal")]
    [InlineData("--9223372036854775808", "invalid int literal")]
    [InlineData("18446744073709551616u", "invalid uint literal")]
    [InlineData("if(x)", "reserved identifier: if")]
    [InlineData("while", "reserved identifier: while")]
    [InlineData("a.in", "mismatched input 'in'")]
    [InlineData("has(a)", "invalid argument to has() macro")]
    [InlineData("has(a[0])", "invalid argument to has() macro")]
    [InlineData("x.all(1, true)", "argument must be a simple name")]
    [InlineData("x.map(y.z, 1)", "argument is not an identifier")]
    [InlineData("x.exists(__result__, true)", "iteration variable overwrites accumulator variable")]
    [InlineData("a.?b", "unsupported syntax '.?'")]
    [InlineData("a[?0]", "unsupported syntax '[?'")]
    [InlineData("[?a]", "unsupported syntax '?'")]
    [InlineData("'unterminated", "token recognition error")]
    [InlineData("'bad \\q escape'", "token recognition error")]
    [InlineData("'\\uD800'", "invalid unicode code point")]
    [InlineData("b'\\u0041'", "unable to unescape string")]
    [InlineData("'line\nbreak'", "token recognition error")]
    [InlineData("a # b", "token recognition error at: '#'")]
    [InlineData("a.`b`()", "extraneous input '('")]
    [InlineData("a ? b", "expecting ':'")]
    [InlineData("{1: 2", "expecting '}'")]
    public void Invalid_expressions(string expression, string message)
    {
        var error = CelSyntax.Check(expression);
        Assert.NotNull(error);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_is_limited()
    {
        Assert.Null(CelSyntax.Check(new string('(', 200) + "1" + new string(')', 200)));
        Assert.Contains("recursion limit", CelSyntax.Check(new string('(', 300) + "1" + new string(')', 300)), StringComparison.Ordinal);
        Assert.Contains("recursion limit", CelSyntax.Check(string.Join(" + ", Enumerable.Repeat("1", 300))), StringComparison.Ordinal);
        Assert.Contains("recursion limit", CelSyntax.Check(new string('[', 50_000) + new string(']', 50_000)), StringComparison.Ordinal);
    }

    [Fact]
    public void Size_is_limited()
    {
        Assert.Contains("code point size exceeds limit", CelSyntax.Check("'" + new string('a', 100_000) + "'"), StringComparison.Ordinal);
    }
}
