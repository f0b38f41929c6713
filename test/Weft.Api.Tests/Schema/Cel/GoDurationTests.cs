using Weft.Api.Schema.Cel;

namespace Weft.Api.Tests.Schema.Cel;

/// <summary>Go's time.ParseDuration, nanosecond for nanosecond.</summary>
public sealed class GoDurationTests
{
    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("1ns", 1L)]
    [InlineData("1.5ns", 1L)]
    [InlineData("1us", 1_000L)]
    [InlineData("1\u00B5s", 1_000L)]
    [InlineData("1\u03BCs", 1_000L)]
    [InlineData("0.5ms", 500_000L)]
    [InlineData("1h2m3.5s", 3_723_500_000_000L)]
    [InlineData("-1.5h", -5_400_000_000_000L)]
    [InlineData("1h1h", 7_200_000_000_000L)]
    [InlineData("0.1s", 100_000_000L)]
    [InlineData("0.3333333333333333333h", 1_200_000_000_000L)]
    [InlineData("9223372036854775807ns", long.MaxValue)]
    [InlineData("-9223372036854775808ns", long.MinValue)]
    [InlineData("2562047h47m16.854775807s", long.MaxValue)]
    public void Parses(string text, long nanoseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var actual, out var error), error);
        Assert.Equal(nanoseconds, actual);
    }

    [Theory]
    [InlineData("", "invalid duration")]
    [InlineData("1", "missing unit")]
    [InlineData("1x", "unknown unit \"x\"")]
    [InlineData("1 s", "unknown unit \" s\"")]
    [InlineData("1S", "unknown unit")]
    [InlineData("s", "invalid duration")]
    [InlineData(".s", "invalid duration")]
    [InlineData("-", "invalid duration")]
    [InlineData("--1s", "invalid duration")]
    [InlineData("9223372036854775808ns", "invalid duration")]
    [InlineData("2562048h", "invalid duration")]
    [InlineData("1e3s", "unknown unit \"e\"")]
    public void Rejects(string text, string error)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }
}
