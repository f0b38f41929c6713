using Weft.Api.Documents;
using Weft.Api.Schema;

namespace Weft.Api.Tests.Schema;

public sealed class GoTextTests
{
    [Theory]
    [InlineData(100, "100")]
    [InlineData(0.5, "0.5")]
    [InlineData(-0.1, "-0.1")]
    [InlineData(100000, "100000")]
    [InlineData(1000000, "1e+06")]
    [InlineData(1234567, "1.234567e+06")]
    [InlineData(0.0001, "0.0001")]
    [InlineData(0.00001, "1e-05")]
    [InlineData(4294967295, "4.294967295e+09")]
    [InlineData(1e21, "1e+21")]
    public void Floats_print_as_go_v(double value, string expected) => Assert.Equal(expected, GoText.FormatFloat(value));

    [Theory]
    [InlineData(1000000, "1000000")]
    [InlineData(1e21, "1e+21")]
    [InlineData(1e-7, "1e-7")]
    [InlineData(2.5, "2.5")]
    public void Floats_print_as_go_json(double value, string expected) => Assert.Equal(expected, GoText.JsonFloat(value));

    [Fact]
    public void Json_sorts_keys_and_escapes_html()
    {
        var node = YamlReader.Read("b: <x>\na: [1, 2.5, true, null]\n", "t.yaml").Single().Root!;
        Assert.Equal("{\"a\":[1,2.5,true,null],\"b\":\"\\u003cx\\u003e\"}", GoText.Json(node));
    }
}
