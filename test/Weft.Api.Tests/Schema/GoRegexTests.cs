using Weft.Api.Schema;

namespace Weft.Api.Tests.Schema;

public sealed class GoRegexTests
{
    [Theory]
    [InlineData("^[a-z]+$", "^[a-z]+\\z")]
    [InlineData("^\\d{2}$", "^[0-9]{2}\\z")]
    [InlineData("[\\w.]+", "[0-9A-Za-z_.]+")]
    [InlineData("(?P<name>x)", "(?<name>x)")]
    [InlineData("\\pL", "\\p{L}")]
    [InlineData("[[:alpha:]]", "[A-Za-z]")]
    [InlineData("a\\$b", "a\\$b")]
    [InlineData("[$]", "[$]")]
    [InlineData("[]a]", "[\\]a]")]
    [InlineData("(?m)^a$", "(?m)^a$")]
    public void Translates_go_syntax(string go, string dotnet) => Assert.Equal(dotnet, GoRegex.ToDotNet(go));

    [Fact]
    public void Quoted_literals_are_escaped()
    {
        Assert.Matches(PatternCache.Get("^\\Q*.x\\E$").Regex!, "*.x");
    }
}
