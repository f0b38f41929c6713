using static Weft.Api.Tests.Schema.Cel.CelTestSupport;

namespace Weft.Api.Tests.Schema.Cel;

/// <summary>matches() with RE2 semantics: unanchored search, ASCII classes, code points, RE2's error set.</summary>
public sealed class CelRegexTests
{
    [Theory]
    [InlineData("'abc'.matches('b')", "Passed")]
    [InlineData("matches('abc', 'b')", "Passed")]
    [InlineData("'abc'.matches('^b')", "Failed")]
    [InlineData("'abc'.matches('^abc$')", "Passed")]

    // RE2's $ is the end of the text; .NET's would also match before a final newline.
    [InlineData("'a\\n'.matches('a$')", "Failed")]
    [InlineData("'a\\nb'.matches('(?m)a$')", "Passed")]
    [InlineData("'a\\nb'.matches('(?m)^b')", "Passed")]
    [InlineData("'a\\nb'.matches('^b')", "Failed")]
    [InlineData("'a\\nb'.matches('a.b')", "Failed")]
    [InlineData("'a\\nb'.matches('(?s)a.b')", "Passed")]
    [InlineData("'AB'.matches('(?i)ab')", "Passed")]
    [InlineData("'AB'.matches('(?i:a)B')", "Passed")]
    [InlineData("'Ab'.matches('(?i:a)B')", "Failed")]
    [InlineData("'xAB'.matches('x(?i)ab')", "Passed")]

    // \d \w \s are ASCII in RE2.
    [InlineData("'٣'.matches('\\\\d')", "Failed")]
    [InlineData("'é'.matches('\\\\w')", "Failed")]
    [InlineData("'\\u00a0'.matches('\\\\s')", "Failed")]
    [InlineData("'é'.matches('\\\\W')", "Passed")]
    [InlineData("'é'.matches('[\\\\D]')", "Passed")]
    [InlineData("'é'.matches('\\\\pL')", "Passed")]
    [InlineData("'é'.matches('\\\\p{Lu}')", "Failed")]
    [InlineData("'1'.matches('\\\\PL')", "Passed")]
    [InlineData("'foo bar'.matches('\\\\bbar')", "Passed")]
    [InlineData("'foobar'.matches('\\\\bbar')", "Failed")]
    [InlineData("'éa'.matches('\\\\Ba')", "Failed")]

    // Code points, not UTF-16 units.
    [InlineData("'😀'.matches('^.$')", "Passed")]
    [InlineData("'😀'.matches('^[^a]$')", "Passed")]
    [InlineData("'😀'.matches('^\\\\D$')", "Passed")]
    [InlineData("'😀'.matches('^[\\\\x{1F600}-\\\\x{1F64F}]$')", "Passed")]
    [InlineData("'😀😀'.matches('^😀{2}$')", "Passed")]

    // Repetition, classes, escapes
    [InlineData("'aaa'.matches('^a{2,3}$')", "Passed")]
    [InlineData("'aaaa'.matches('^a{2,3}$')", "Failed")]
    [InlineData("'a{'.matches('a{')", "Passed")]
    [InlineData("'a{,2}'.matches('^a{,2}$')", "Passed")]

    // A count with a leading zero is no count: Go reads the braces literally.
    [InlineData("'a{022}'.matches('^a{022}$')", "Passed")]
    [InlineData("'abc'.matches('^[[:alpha:]]+$')", "Passed")]
    [InlineData("'ab1'.matches('^[[:^digit:]]+$')", "Failed")]
    [InlineData("'a-z'.matches('^[a\\\\-z]+$')", "Passed")]
    [InlineData("']'.matches('[]a]')", "Passed")]
    [InlineData("'a.c'.matches('\\\\Q.\\\\E')", "Passed")]
    [InlineData("'abc'.matches('\\\\Q.\\\\E')", "Failed")]
    [InlineData("'\\n'.matches('\\\\012')", "Passed")]
    [InlineData("'A'.matches('\\\\x41')", "Passed")]
    [InlineData("'a#b'.matches('a#b')", "Passed")]
    [InlineData("'a b'.matches('a b')", "Passed")]
    [InlineData("'aab'.matches('^(?P<x>a+)b$')", "Passed")]
    [InlineData("'aab'.matches('^(?<x>a+)b$')", "Passed")]
    [InlineData("'aaa'.matches('(?U)^a+?$')", "Passed")]
    [InlineData("'ab'.matches('^(a|b)*$')", "Passed")]
    [InlineData("''.matches('^$')", "Passed")]
    public void Match(string expression, string expected) => AssertOutcome(expected, Run(expression, "{}"), expression);

    [Theory]
    [InlineData("(a")]
    [InlineData("a)")]
    [InlineData("\\\\1")]
    [InlineData("(a)\\\\1")]
    [InlineData("(?=a)")]
    [InlineData("(?!a)")]
    [InlineData("(?<=a)b")]
    [InlineData("a**")]
    [InlineData("a*+")]
    [InlineData("*a")]
    [InlineData("a{1001}")]
    [InlineData("a{3,2}")]
    [InlineData("a{123456789}")]
    [InlineData("[b-a]")]
    [InlineData("[a")]
    [InlineData("\\\\C")]
    [InlineData("\\\\Z")]
    [InlineData("\\\\e")]
    [InlineData("[[:foo:]]")]
    [InlineData("(?i-)a")]
    [InlineData("(?x)a")]
    [InlineData("((((((((((x{2}){2}){2}){2}){2}){2}){2}){2}){2}){2})")]
    public void Patterns_re2_rejects_do_not_compile(string pattern) =>
        Assert.Contains("invalid regular expression", Evaluator.CompileError("'x'.matches('" + pattern + "')"), StringComparison.Ordinal);

    /// <summary>Go accepts these, but .NET has no faithful rendering (scripts; group names .NET reads as numbers).</summary>
    [Theory]
    [InlineData("(?P<1x>a)")]
    [InlineData("\\\\p{Greek}")]
    public void Patterns_without_a_faithful_translation_do_not_compile(string pattern) =>
        Assert.Contains("invalid regular expression", Evaluator.CompileError("'x'.matches('" + pattern + "')"), StringComparison.Ordinal);

    [Fact]
    public void A_pattern_from_the_document_is_compiled_at_evaluation_time()
    {
        AssertOutcome("Passed", Run("'abc'.matches(self)", "b+"), "b+");
        AssertOutcome("Error: invalid regular expression", Run("'abc'.matches(self)", "'('"), "(");
    }

    [Theory]
    [InlineData("'abc123def45'.find('[0-9]+') == '123'", "Passed")]
    [InlineData("'abc'.find('[0-9]+') == ''", "Passed")]
    [InlineData("'a1b22c333'.findAll('[0-9]+') == ['1', '22', '333']", "Passed")]
    [InlineData("'a1b22c333'.findAll('[0-9]+', 2) == ['1', '22']", "Passed")]
    public void Find(string expression, string expected) => AssertOutcome(expected, Run(expression, "{}"), expression);
}
