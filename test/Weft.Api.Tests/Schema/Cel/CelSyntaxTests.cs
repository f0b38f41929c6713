using static Weft.Api.Tests.Schema.Cel.CelTestSupport;

namespace Weft.Api.Tests.Schema.Cel;

/// <summary>Rules that must not compile, and what the error says.</summary>
public sealed class CelSyntaxTests
{
    [Theory]
    [InlineData("self.", "expected a field name")]
    [InlineData("1 +", "unexpected end of expression")]
    [InlineData("(1", "expected ')'")]
    [InlineData("[1, 2", "expected ']' or ','")]
    [InlineData("{'a' 1}", "expected ':' after a map key")]
    [InlineData("1 2", "unexpected token")]
    [InlineData("a = 1", "unexpected character '='")]
    [InlineData("a & b", "unexpected character '&'")]
    [InlineData("'unterminated", "unterminated string literal")]
    [InlineData("'line\nbreak'", "newline in string literal")]
    [InlineData("'\\q'", "invalid escape sequence")]
    [InlineData("'\\ud800'", "not a valid code point")]
    [InlineData("b'bytes'", "bytes literals are not supported")]
    [InlineData("9223372036854775808 > 0", "out of range")]
    [InlineData("-9223372036854775809 < 0", "out of range")]
    [InlineData("18446744073709551616u > 0u", "out of range")]
    [InlineData("0x > 1", "hexadecimal literal without digits")]
    [InlineData("self.a.?b", "optional field selection")]
    [InlineData("self[?0]", "optional index")]
    [InlineData("Msg{a: 1}", "message construction is not supported")]
    [InlineData("if", "reserved identifier 'if'")]
    [InlineData("self.true", "'true' cannot be a field name")]
    [InlineData("frobnicate(self)", "undeclared reference to 'frobnicate'")]
    [InlineData("unknown == 1", "undeclared reference to 'unknown'")]
    [InlineData("self.frobnicate()", "undeclared reference to 'frobnicate'")]
    [InlineData("oldSelf == self", "transition rules (oldSelf) are not supported")]
    [InlineData("self.all(1, true)", "must be a simple name")]
    [InlineData("self.map(x.y, true)", "must be a simple name")]
    [InlineData("has(self)", "invalid argument to has() macro")]
    [InlineData("self.all(x, y > 0)", "undeclared reference to 'y'")]
    [InlineData("self.all(x, true) && x", "undeclared reference to 'x'")]
    [InlineData("'x'.contains()", "no overload of 'contains' takes 0 argument(s)")]
    [InlineData("contains('a', 'b')", "'contains' is a method")]
    [InlineData("'a'.isURL()", "'isURL' is a function, not a method")]
    [InlineData("self.matches('(')", "invalid regular expression '('")]
    public void Does_not_compile(string rule, string error)
    {
        var message = Evaluator.CompileError(rule);
        Assert.NotNull(message);
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_is_bounded_instead_of_overflowing_the_stack()
    {
        var deep = new string('(', 300) + "1" + new string(')', 300) + " == 1";
        Assert.Null(Evaluator.CompileError(new string('(', 100) + "1" + new string(')', 100) + " == 1"));
        var chain = string.Join(" + ", Enumerable.Repeat("1", 400)) + " > 0";
        Assert.Contains("nests deeper than", Evaluator.CompileError(chain), StringComparison.Ordinal);
        Assert.NotNull(Evaluator.CompileError(deep));
    }

    [Theory]
    [InlineData("self == {}")]
    [InlineData(".self == {}")]
    [InlineData("self\n  == {}")]
    [InlineData("  self == {}  ")]
    [InlineData("self.all(x,\n true)")]
    public void Compiles(string rule) => Assert.Null(Evaluator.CompileError(rule));
}
