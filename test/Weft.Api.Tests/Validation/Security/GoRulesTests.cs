using Weft.Api.Validation.Security;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>The Go-faithful primitives the security validators use: netip, net/url, strconv and jwx's base64.</summary>
public sealed class GoRulesTests
{
    [Theory]
    [InlineData("", null)]
    [InlineData("AQAB", null)]
    [InlineData("AQ", null)]
    [InlineData("AQA", null)]
    [InlineData("A", "illegal base64 data")]
    [InlineData("AQ==", null)]
    [InlineData("AQA=", null)]
    [InlineData("AQ=", "illegal base64 data")]
    [InlineData("A===", "illegal base64 data")]
    [InlineData("AQ==AQ==", "illegal base64 data")]
    [InlineData("a-_b", null)]
    [InlineData("a+/b", null)]
    [InlineData("a+_b", "illegal base64 data")]
    [InlineData("AQ\nAB", null)]
    [InlineData("AQ AB", "illegal base64 data")]
    public void Jwx_base64(string text, string? error)
    {
        Assert.Equal(error, Jwks.Base64Error(text));
    }
}
