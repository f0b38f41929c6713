using Weft.Api.GoCompat;

namespace Weft.Api.Tests.GoCompat;

/// <summary>Go's time.ParseDuration, nanosecond for nanosecond, with its error texts.</summary>
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
    [InlineData("10µs", 10_000L)]
    [InlineData("10μs", 10_000L)]
    [InlineData("0.5ms", 500_000L)]
    [InlineData("+300ms", 300_000_000L)]
    [InlineData("1.5s", 1_500_000_000L)]
    [InlineData(".5s", 500_000_000L)]
    [InlineData("5.s", 5_000_000_000L)]
    [InlineData("0.1s", 100_000_000L)]
    [InlineData("2.000000005s", 2_000_000_005L)]
    [InlineData("1.0000000001s", 1_000_000_000L)]
    [InlineData("1h2m3.5s", 3_723_500_000_000L)]
    [InlineData("1h2m3s4ms5us6ns", 3_723_004_005_006L)]
    [InlineData("-1.5h", -5_400_000_000_000L)]
    [InlineData("1h1h", 7_200_000_000_000L)]
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
    [InlineData("", "time: invalid duration \"\"")]
    [InlineData("1", "missing unit")]
    [InlineData("10", "time: missing unit in duration \"10\"")]
    [InlineData("1.2.3s", "time: missing unit in duration \"1.2.3s\"")]
    [InlineData("1x", "unknown unit \"x\"")]
    [InlineData("10x", "time: unknown unit \"x\" in duration \"10x\"")]
    [InlineData("1 s", "unknown unit \" s\"")]
    [InlineData("1S", "unknown unit")]
    [InlineData("1e3s", "unknown unit \"e\"")]
    [InlineData("s", "time: invalid duration \"s\"")]
    [InlineData(".s", "time: invalid duration \".s\"")]
    [InlineData(" 1s", "time: invalid duration \" 1s\"")]
    [InlineData("-", "invalid duration")]
    [InlineData("--1s", "invalid duration")]
    [InlineData("9223372036854775808ns", "time: invalid duration \"9223372036854775808ns\"")]
    [InlineData("99999999999999999999h", "time: invalid duration \"99999999999999999999h\"")]
    [InlineData("2562048h", "invalid duration")]

    // The time package quotes with its own rule: every byte of a non-ASCII or control character as \x.
    [InlineData("1µx", "time: unknown unit \"\\xc2\\xb5x\" in duration \"1\\xc2\\xb5x\"")]
    [InlineData("1\t", "time: unknown unit \"\\x09\" in duration \"1\\x09\"")]
    public void Rejects(string text, string error)
    {
        Assert.False(GoDuration.TryParse(text, out _, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }
}
