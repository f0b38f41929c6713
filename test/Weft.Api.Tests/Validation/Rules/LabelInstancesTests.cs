using Weft.Api.Validation.Rules;

namespace Weft.Api.Tests.Validation.Rules;

/// <summary>Istio's label keys and values (labels.Instance.Validate).</summary>
public sealed class LabelInstancesTests
{
    [Theory]
    [InlineData("app", "v1", null, null)]
    [InlineData("example.com/app", "", null, null)]
    [InlineData("app_name.x", "a-b_c.d", null, null)]
    [InlineData("-app", "v1", "invalid tag key: \"-app\"", null)]
    [InlineData("a/b/c", "v1", "invalid tag key: \"a/b/c\"", null)]
    [InlineData("app", "v 1", null, "invalid tag value: \"v 1\"")]
    [InlineData("app", "v1\n", null, "invalid tag value: \"v1\\n\"")]
    public void Label_keys_and_values(string key, string value, string? keyError, string? valueError)
    {
        Assert.Equal(keyError, LabelInstances.ValidateKey(key));
        Assert.Equal(valueError, LabelInstances.ValidateValue(value));
    }

    [Theory]
    [InlineData("app", null)]
    [InlineData("istio.io/rev", null)]
    [InlineData("a_b.c-d", null)]
    [InlineData("", "invalid tag key: \"\"")]
    [InlineData("Foo_Bar.com/x", "invalid tag key: \"Foo_Bar.com/x\"")]
    public void Label_keys(string key, string? error) => Assert.Equal(error, LabelInstances.ValidateKey(key));

    [Fact]
    public void Label_key_lengths()
    {
        Assert.Null(LabelInstances.ValidateKey(new string('a', 63)));
        Assert.Equal($"invalid tag key: \"{new string('a', 64)}\" (name is too long)", LabelInstances.ValidateKey(new string('a', 64)));
        var longPrefix = string.Join('.', Enumerable.Repeat(new string('p', 50), 6)) + "/name";
        Assert.EndsWith("(DNS prefix is too long)", LabelInstances.ValidateKey(longPrefix), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("v1", true)]
    [InlineData("a.b_c-d", true)]
    [InlineData("-v1", false)]
    public void Label_values(string value, bool valid) => Assert.Equal(valid, LabelInstances.ValidateValue(value) is null);

    [Fact]
    public void Label_values_have_no_length_limit_in_istio() => Assert.Null(LabelInstances.ValidateValue(new string('v', 100)));
}
