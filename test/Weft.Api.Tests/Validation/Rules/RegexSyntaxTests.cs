using Weft.Api.Validation.Rules;

namespace Weft.Api.Tests.Validation.Rules;

/// <summary>RE2 syntax as Go's regexp package accepts it (the patterns are those of Go's own parser tests).</summary>
public sealed class RegexSyntaxTests
{
    [Theory]
    [InlineData("a")]
    [InlineData("a.b.c")]
    [InlineData("a|^")]
    [InlineData("(a)|b")]
    [InlineData("a*?")]
    [InlineData("a{2,3}?")]
    [InlineData("a{2,}")]
    [InlineData("x{1001")]
    [InlineData("x{9876543210")]
    [InlineData("x{2,1")]
    [InlineData("|x|")]
    [InlineData(@"\|\(\)\*\+\?\.\^\$\\")]
    [InlineData("{")]
    [InlineData("}")]
    [InlineData(@"[^\\]")]
    [InlineData("[[:lower:]]")]
    [InlineData("[[:^lower:]]")]
    [InlineData(@"\d\D\s\S\w\W")]
    [InlineData(@"\p{Braille}")]
    [InlineData(@"\P{^Braille}")]
    [InlineData(@"\pZ")]
    [InlineData(@"[\p{Lu}]")]
    [InlineData(@"\p{Any}")]
    [InlineData(@"\p{Greek}\p{Old_Italic}\p{letter}\p{Uppercase_Letter}")]
    [InlineData(@"[\012-\234]\141")]
    [InlineData(@"[\x{41}-\x7a]\x61")]
    [InlineData("a{,2}")]
    [InlineData("[α-ε☺]")]
    [InlineData("a*{")]
    [InlineData(@"\Q+|*?{[\E")]
    [InlineData(@"\Q+\E+")]
    [InlineData(@"(?i)abc|ABD")]
    [InlineData("(?m)^(?-m)$(?s).(?U)a*")]
    [InlineData(@"\A\z\b\B")]
    [InlineData("(?P<name>a)(?<other>b)")]
    [InlineData("[a-b-c]")]
    [InlineData("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}))")]
    [InlineData("((((((((((x{1}){2}){2}){2}){2}){2}){2}){2}){2}){2})")]
    [InlineData("a{1000}")]
    [InlineData(@"\_")]
    [InlineData("^*")]
    [InlineData("()*")]
    [InlineData("/api/v[0-9]+/.*")]
    public void Accepts_what_go_accepts(string pattern) => Assert.Null(RegexSyntax.Check(pattern));

    [Theory]
    [InlineData("(", "missing closing )")]
    [InlineData(")", "unexpected )")]
    [InlineData("(a", "missing closing )")]
    [InlineData("a)", "unexpected )")]
    [InlineData("(a))", "unexpected )")]
    [InlineData("(a|b|", "missing closing )")]
    [InlineData("a|b|)", "unexpected )")]
    [InlineData("[a-z", "missing closing ]")]
    [InlineData("([a-z)", "missing closing ]")]
    [InlineData("x{1001}", "invalid repeat count")]
    [InlineData("x{9876543210}", "invalid repeat count")]
    [InlineData("x{2,1}", "invalid repeat count")]
    [InlineData("x{1,9876543210}", "invalid repeat count")]
    [InlineData("(?P<name>a", "missing closing )")]
    [InlineData("(?P<name", "invalid named capture")]
    [InlineData("(?P<x y>a)", "invalid named capture")]
    [InlineData("(?P<>a)", "invalid named capture")]
    [InlineData("[a-Z]", "invalid character class range")]
    [InlineData("(?i)[a-Z]", "invalid character class range")]
    [InlineData("a{100000}", "invalid repeat count")]
    [InlineData("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})", "invalid repeat count")]
    [InlineData(@"\Q\E*", "missing argument to repetition operator")]
    [InlineData("a++", "invalid nested repetition operator")]
    [InlineData("a**", "invalid nested repetition operator")]
    [InlineData("a?*", "invalid nested repetition operator")]
    [InlineData("a{1}*", "invalid nested repetition operator")]
    [InlineData(".{1}{2}.{3}", "invalid nested repetition operator")]
    [InlineData("*", "missing argument to repetition operator")]
    [InlineData("?", "missing argument to repetition operator")]
    [InlineData("a|*", "missing argument to repetition operator")]
    [InlineData("(*)", "missing argument to repetition operator")]
    [InlineData("foo(?=bar)", "invalid or unsupported Perl syntax")]
    [InlineData("foo(?!bar)", "invalid or unsupported Perl syntax")]
    [InlineData("(?<=foo)bar", "invalid named capture")]
    [InlineData("(?<!foo)bar", "invalid named capture")]
    [InlineData("(?>atomic)", "invalid or unsupported Perl syntax")]
    [InlineData("(a)\\1", "invalid escape sequence")]
    [InlineData(@"\8", "invalid escape sequence")]
    [InlineData(@"foo\Z", "invalid escape sequence")]
    [InlineData(@"\C", "invalid escape sequence")]
    [InlineData(@"\q", "invalid escape sequence")]
    [InlineData(@"\x{110000}", "invalid escape sequence")]
    [InlineData(@"\xZZ", "invalid escape sequence")]
    [InlineData(@"abc\", "trailing backslash at end of expression")]
    [InlineData(@"\p{Klingon}", "invalid character class range")]
    [InlineData(@"\p{Greek", "invalid character class range")]
    [InlineData("[[:foo:]]", "invalid character class range")]
    [InlineData("(?P=name)", "invalid or unsupported Perl syntax")]
    [InlineData("(?i", "invalid or unsupported Perl syntax")]
    [InlineData("(?-)", "invalid or unsupported Perl syntax")]
    [InlineData("(?'name'x)", "invalid or unsupported Perl syntax")]
    public void Rejects_what_go_rejects(string pattern, string code)
    {
        var error = RegexSyntax.Check(pattern);
        Assert.NotNull(error);
        Assert.StartsWith("error parsing regexp: " + code + ": `", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Error_quotes_the_offending_text_as_go_does()
    {
        Assert.Equal("error parsing regexp: invalid or unsupported Perl syntax: `(?=`", RegexSyntax.Check("foo(?=bar)"));
        Assert.Equal("error parsing regexp: invalid nested repetition operator: `**`", RegexSyntax.Check("a**"));
        Assert.Equal("error parsing regexp: invalid repeat count: `{2,1}`", RegexSyntax.Check("x{2,1}"));
        Assert.Equal("error parsing regexp: invalid escape sequence: `\\1`", RegexSyntax.Check("(a)\\1"));
        Assert.Equal("error parsing regexp: missing closing ): `(a`", RegexSyntax.Check("(a"));
        Assert.Equal("error parsing regexp: invalid character class range: `z-a`", RegexSyntax.Check("[z-a]"));
    }

    [Fact]
    public void Istio_wraps_the_error_and_limits_the_length()
    {
        Assert.Equal(
            "\"uri\": error parsing regexp: missing argument to repetition operator: `*`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)",
            RegexSyntax.ValidateIstio("*", "uri"));
        Assert.Equal("\"headers\": regex is too large, max length allowed is 1024", RegexSyntax.ValidateIstio(new string('a', 1025), "headers"));
        Assert.Null(RegexSyntax.ValidateIstio(new string('a', 1024), "headers"));
    }
}
