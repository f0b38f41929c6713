using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class TypeValidationTests
{
    [Fact]
    public void Null_for_a_non_nullable_string_is_a_type_error()
    {
        var d = Assert.Single(Check(Obj(("url", Str)), "url:"));
        Assert.Equal("spec.url", d.FieldPath);
        Assert.Equal("spec.url: Invalid value: \"null\": spec.url in body must be of type string: \"null\"", d.Detail);
        Assert.Equal(SpecFirstLine, d.Location.Line);
        Assert.Equal(Weft.Api.Validation.Severity.Error, d.Severity);
    }

    [Fact]
    public void Nullable_accepts_null()
    {
        var spec = Obj(("weight", new SchemaNode { Type = SchemaType.Integer, Nullable = true }));
        Assert.Empty(Check(spec, "weight: null"));
    }

    [Theory]
    [InlineData("name: 5", "spec.name: Invalid value: \"integer\": spec.name in body must be of type string: \"integer\"")]
    [InlineData("name: true", "spec.name: Invalid value: \"boolean\": spec.name in body must be of type string: \"boolean\"")]
    [InlineData("name: [a]", "spec.name: Invalid value: \"array\": spec.name in body must be of type string: \"array\"")]
    [InlineData("name: {a: b}", "spec.name: Invalid value: \"object\": spec.name in body must be of type string: \"object\"")]
    public void Wrong_type_names_expected_and_actual_type(string yaml, string expected) =>
        Assert.Equal([expected], Details(Obj(("name", Str)), yaml, strict: false));

    [Fact]
    public void A_quoted_number_is_a_string()
    {
        Assert.Equal(
            ["spec.port: Invalid value: \"string\": spec.port in body must be of type integer: \"string\""],
            Details(Obj(("port", Int)), "port: \"80\""));
    }

    [Theory]
    [InlineData("port: 80")]
    [InlineData("port: 80.0")]
    [InlineData("port: 8e1")]
    public void Integer_accepts_integral_numbers(string yaml) => Assert.Empty(Check(Obj(("port", Int)), yaml));

    [Fact]
    public void Integer_rejects_a_fraction_twice_like_the_api_server()
    {
        Assert.Equal(
            [
                "spec.port: Invalid value: \"number\": spec.port in body must be of type integer: \"number\"",
                "spec.port: Invalid value: \"\": Checked value must be of type integer (default format) in spec.port",
            ],
            Details(Obj(("port", Int)), "port: 80.5"));
    }

    [Fact]
    public void Number_accepts_integers()
    {
        Assert.Empty(Check(Obj(("ratio", new SchemaNode { Type = SchemaType.Number })), "ratio: 3"));
    }

    [Theory]
    [InlineData("port: 8080")]
    [InlineData("port: http")]
    public void Int_or_string_accepts_either(string yaml)
    {
        var spec = Obj(("port", new SchemaNode { IntOrString = true }));
        Assert.Empty(Check(spec, yaml));
    }

    [Fact]
    public void Int_or_string_names_both_types()
    {
        var spec = Obj(("port", new SchemaNode { IntOrString = true }));
        Assert.Equal(
            ["spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\""],
            Details(spec, "port: true"));
    }

    [Fact]
    public void Untyped_schema_accepts_anything()
    {
        var spec = Obj(("any", new SchemaNode { PreserveUnknownFields = true }));
        Assert.Empty(Check(spec, "any: [1, {a: b}]"));
    }

    [Fact]
    public void A_wrong_type_is_still_checked_for_what_applies_to_the_actual_value()
    {
        // kube-openapi runs the checks that fit the value's own kind; a string given for an enum field still meets the enum.
        var spec = Obj(("mode", new SchemaNode { Type = SchemaType.Integer, Enum = [1L, 2L] }));
        Assert.Equal(
            [
                "spec.mode: Invalid value: \"string\": spec.mode in body must be of type integer: \"string\"",
                "spec.mode: Unsupported value: \"x\": supported values: \"1\", \"2\"",
            ],
            Details(spec, "mode: x"));
    }
}
