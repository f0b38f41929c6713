using Weft.Api.GoCompat;

namespace Weft.Api.Tests.GoCompat;

/// <summary>Go's strconv as Weft's messages need it: Quote (what %q prints) and Atoi.</summary>
public sealed class GoStrconvTests
{
    [Theory]
    [InlineData("", "\"\"")]
    [InlineData("plain", "\"plain\"")]
    [InlineData("q\"b\\", "\"q\\\"b\\\\\"")]
    [InlineData("a\"b\\c", "\"a\\\"b\\\\c\"")]
    [InlineData("tab\tnl\n", "\"tab\\tnl\\n\"")]
    [InlineData("tab\there\n", "\"tab\\there\\n\"")]
    [InlineData("\u0001", "\"\\x01\"")]
    [InlineData("\u0001\u007f", "\"\\x01\\x7f\"")]
    [InlineData("é", "\"é\"")]
    [InlineData("héllo", "\"héllo\"")]
    [InlineData("\u00a0", "\"\\u00a0\"")]
    [InlineData("\u200b", "\"\\u200b\"")]
    [InlineData("\U0001F600", "\"\U0001F600\"")]
    public void Quote_follows_strconv(string input, string expected) => Assert.Equal(expected, GoStrconv.Quote(input));

    [Theory]
    [InlineData("80", 80L, null)]
    [InlineData("+80", 80L, null)]
    [InlineData("-1", -1L, null)]
    [InlineData("", 0L, "strconv.Atoi: parsing \"\": invalid syntax")]
    [InlineData("8o", 0L, "strconv.Atoi: parsing \"8o\": invalid syntax")]

    // Out of range, Go returns the limit along with the error.
    [InlineData("99999999999999999999", long.MaxValue, "strconv.Atoi: parsing \"99999999999999999999\": value out of range")]
    [InlineData("9223372036854775807", long.MaxValue, null)]
    [InlineData("-9223372036854775808", long.MinValue, null)]
    public void Atoi_follows_go(string text, long value, string? error)
    {
        Assert.Equal(error, GoStrconv.Atoi(text, out var v));
        Assert.Equal(value, v);
        Assert.Equal(error is null, GoStrconv.TryAtoi(text, out _));
    }
}
