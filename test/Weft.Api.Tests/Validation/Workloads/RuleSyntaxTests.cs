using Weft.Api.Validation.Rules;
using Weft.Api.Validation.Workloads;

namespace Weft.Api.Tests.Validation.Workloads;

/// <summary>The Go-compatible primitives the workloads validators rely on.</summary>
public sealed class RuleSyntaxTests
{
    [Theory]
    [InlineData("app", null)]
    [InlineData("istio.io/rev", null)]
    [InlineData("a_b.c-d", null)]
    [InlineData("", "invalid tag key: \"\"")]
    [InlineData("-app", "invalid tag key: \"-app\"")]
    [InlineData("a/b/c", "invalid tag key: \"a/b/c\"")]
    [InlineData("Foo_Bar.com/x", "invalid tag key: \"Foo_Bar.com/x\"")]
    public void Label_keys(string key, string? error) => Assert.Equal(error, LabelSyntax.ValidateKey(key));

    [Fact]
    public void Label_key_lengths()
    {
        Assert.Null(LabelSyntax.ValidateKey(new string('a', 63)));
        Assert.EndsWith("(name is too long)", LabelSyntax.ValidateKey(new string('a', 64)), StringComparison.Ordinal);
        var longPrefix = string.Join('.', Enumerable.Repeat(new string('p', 50), 6)) + "/name";
        Assert.EndsWith("(DNS prefix is too long)", LabelSyntax.ValidateKey(longPrefix), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("v1", true)]
    [InlineData("a.b_c-d", true)]
    [InlineData("-v1", false)]
    [InlineData("v 1", false)]
    [InlineData("v1\n", false)]
    public void Label_values(string value, bool valid) => Assert.Equal(valid, LabelSyntax.ValidateValue(value) is null);

    [Fact]
    public void Label_values_have_no_length_limit_in_istio() => Assert.Null(LabelSyntax.ValidateValue(new string('v', 100)));

    [Theory]
    [InlineData("foo\n")]
    [InlineData("foo.com\n")]
    public void Dns_names_reject_a_trailing_newline(string name) => Assert.NotNull(DnsNames.ValidateFqdn(name));
}
