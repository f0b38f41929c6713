using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class FormatTests
{
    private static SchemaNode Formatted(string format, SchemaType type = SchemaType.String) =>
        Obj(("v", new SchemaNode { Type = type, Format = format }));

    [Theory]
    [InlineData("aGVsbG8=")]
    [InlineData("aGVsbG8h")]
    [InlineData("aGk=")]
    public void Byte_accepts_base64(string value) => Assert.Empty(Check(Formatted("byte"), $"v: \"{value}\""));

    [Theory]
    [InlineData("hello")]
    [InlineData("aGVsbG8")]
    [InlineData("")]
    public void Byte_rejects_other_text(string value)
    {
        Assert.Equal(
            [$"spec.v: Invalid value: \"{value}\": spec.v in body must be of type byte: \"{value}\""],
            Details(Formatted("byte"), $"v: \"{value}\""));
    }

    [Theory]
    [InlineData("2024-02-29T10:00:00Z")]
    [InlineData("2024-01-01t23:59:59.123+01:00")]
    public void Date_time_accepts_rfc3339(string value) => Assert.Empty(Check(Formatted("date-time"), $"v: \"{value}\""));

    [Theory]
    [InlineData("2023-02-29T10:00:00Z")]
    [InlineData("2024-01-01T24:00:00Z")]
    [InlineData("2024-01-01 10:00:00Z")]
    [InlineData("yesterday")]
    public void Date_time_rejects_other_text(string value)
    {
        Assert.Equal(
            [$"spec.v: Invalid value: \"{value}\": spec.v in body must be of type date-time: \"{value}\""],
            Details(Formatted("date-time"), $"v: \"{value}\""));
    }

    [Fact]
    public void Int32_is_not_range_checked_because_the_api_server_strips_that_format()
    {
        Assert.Empty(Check(Formatted("int32", SchemaType.Integer), "v: 99999999999"));
    }

    [Fact]
    public void A_number_for_a_formatted_string_names_the_format()
    {
        // kube-openapi's type check reports the format, and the Go type of the value, in this case.
        Assert.Equal(
            ["spec.v: Invalid value: \"int64\": spec.v in body must be of type date-time: \"int64\""],
            Details(Formatted("date-time"), "v: 5"));
    }
}
