using Weft.Api.GoCompat;

namespace Weft.Api.Tests.GoCompat;

/// <summary>Doubles printed as Go's %v and encoding/json print them.</summary>
public sealed class GoFloatFormatTests
{
    [Theory]
    [InlineData(100, "100")]
    [InlineData(101.0, "101")]
    [InlineData(-1.0, "-1")]
    [InlineData(0.5, "0.5")]
    [InlineData(-0.1, "-0.1")]
    [InlineData(100000, "100000")]
    [InlineData(123456.0, "123456")]
    [InlineData(1000000, "1e+06")]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(100000000.0, "1e+08")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(0.00005, "5e-05")]
    [InlineData(4294967295, "4.294967295e+09")]
    [InlineData(1e21, "1e+21")]
    public void Floats_print_as_go_v(double value, string expected) => Assert.Equal(expected, GoFloatFormat.FormatG(value));

    [Theory]
    [InlineData(1000000, "1000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(2.5, "2.5")]
    public void Floats_print_as_go_json(double value, string expected) => Assert.Equal(expected, GoFloatFormat.FormatJson(value));
}
