using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class StringValidationTests
{
    [Fact]
    public void Min_length_quotes_the_value()
    {
        var spec = Obj(("url", new SchemaNode { Type = SchemaType.String, MinLength = 1 }));
        Assert.Equal(["spec.url: Invalid value: \"\": spec.url in body should be at least 1 chars long"], Details(spec, "url: \"\""));
    }

    [Theory]
    [InlineData(5, "abcdef", "spec.name: Too long: may not be more than 5 bytes")]
    [InlineData(1, "ab", "spec.name: Too long: may not be more than 1 byte")]
    public void Max_length_uses_the_too_long_form(long max, string value, string expected)
    {
        var spec = Obj(("name", new SchemaNode { Type = SchemaType.String, MaxLength = max }));
        Assert.Equal([expected], Details(spec, $"name: {value}"));
    }

    [Fact]
    public void Lengths_count_code_points_not_utf16_units()
    {
        var spec = Obj(("name", new SchemaNode { Type = SchemaType.String, MaxLength = 2, MinLength = 2 }));
        Assert.Empty(Check(spec, "name: \"\U0001F600\U0001F600\""));
        Assert.Empty(Check(spec, "name: \"éé\""));
    }

    [Fact]
    public void Pattern_mismatch_shows_the_pattern()
    {
        var spec = Obj(("sha256", new SchemaNode { Type = SchemaType.String, Pattern = "(^$|^[a-f0-9]{64}$)" }));
        Assert.Equal(
            ["spec.sha256: Invalid value: \"foo\": spec.sha256 in body should match '(^$|^[a-f0-9]{64}$)'"],
            Details(spec, "sha256: foo"));
        Assert.Empty(Check(spec, "sha256: \"\""));
        Assert.Empty(Check(spec, "sha256: " + new string('a', 64)));
    }

    [Fact]
    public void Go_dollar_does_not_match_before_a_final_newline()
    {
        var spec = Obj(("name", new SchemaNode { Type = SchemaType.String, Pattern = "^[a-z]+$" }));
        Assert.Single(Check(spec, "name: \"abc\\n\""));
        Assert.Empty(Check(spec, "name: abc"));
    }

    [Fact]
    public void Go_digit_class_is_ascii_only()
    {
        var spec = Obj(("n", new SchemaNode { Type = SchemaType.String, Pattern = "^\\d+$" }));
        Assert.Empty(Check(spec, "n: \"123\""));
        Assert.Single(Check(spec, "n: \"١٢٣\""));
    }

    [Fact]
    public void Pattern_matches_anywhere_unless_anchored()
    {
        var spec = Obj(("n", new SchemaNode { Type = SchemaType.String, Pattern = "[0-9]" }));
        Assert.Empty(Check(spec, "n: abc1def"));
    }

    [Fact]
    public void Only_the_first_string_failure_is_reported()
    {
        var spec = Obj(("n", new SchemaNode { Type = SchemaType.String, MaxLength = 2, Pattern = "^[0-9]+$" }));
        Assert.Equal(["spec.n: Too long: may not be more than 2 bytes"], Details(spec, "n: abcd"));
    }

    [Fact]
    public void An_uncompilable_pattern_says_so()
    {
        var spec = Obj(("n", new SchemaNode { Type = SchemaType.String, Pattern = "([a-z" }));
        var d = Assert.Single(Check(spec, "n: abc"));
        Assert.StartsWith("spec.n: Invalid value: \"abc\": spec.n in body should match '([a-z, but pattern is invalid: ", d.Detail);
    }

    [Theory]
    [InlineData("^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    [InlineData("(^$|^[a-f0-9]{64}$)")]
    [InlineData("^[-_A-Za-z0-9]+$")]
    public void Crd_patterns_run_on_the_linear_time_engine(string pattern)
    {
        // RE2 guarantees no input makes a pattern run away; so must we.
        var regex = PatternCache.Get(pattern).Regex!;
        Assert.True(regex.Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking));
    }

    [Fact]
    public void Each_pattern_is_compiled_once()
    {
        Assert.Same(PatternCache.Get("^[a-z]+-once$"), PatternCache.Get("^[a-z]+-once$"));
    }

    [Fact]
    public void Strings_are_quoted_as_go_quotes_them()
    {
        var spec = Obj(("n", new SchemaNode { Type = SchemaType.String, Pattern = "^x$" }));
        Assert.Equal(
            ["spec.n: Invalid value: \"a\\\"b\\tc\": spec.n in body should match '^x$'"],
            Details(spec, "n: \"a\\\"b\\tc\""));
    }
}
