using Weft.Api.Validation.Rules;

namespace Weft.Api.Tests.Validation.Rules;

/// <summary>Istio's validateStringRegexp: a length limit, and Go's error wrapped with the field and a hint.</summary>
public sealed class RegexSyntaxTests
{
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
