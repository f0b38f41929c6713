using Weft.Api.Validation.Security;

namespace Weft.Api.Tests.Validation.Security;

/// <summary>How lestrrat-go/jwx decodes base64 in inline JWKS: either alphabet, padding optional, newlines ignored.</summary>
public sealed class JwxBase64Tests
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
