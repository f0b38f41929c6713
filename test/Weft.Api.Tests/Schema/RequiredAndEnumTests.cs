using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class RequiredAndEnumTests
{
    private static readonly SchemaNode Hosts = new()
    {
        Type = SchemaType.Object,
        Required = ["hosts"],
        Properties = new Dictionary<string, SchemaNode> { ["hosts"] = new() { Type = SchemaType.Array, Items = Str }, ["location"] = Str },
    };

    [Fact]
    public void Missing_required_field_is_reported_at_its_parent()
    {
        var d = Assert.Single(Check(Hosts, "location: x"));
        Assert.Equal("spec.hosts: Required value", d.Detail);
        Assert.Equal("spec.hosts", d.FieldPath);
        Assert.Equal(SpecFirstLine, d.Location.Line);
    }

    [Fact]
    public void Missing_spec_is_reported_at_the_resource()
    {
        var root = new SchemaNode { Type = SchemaType.Object, Properties = Root(Hosts).Properties, Required = ["spec"] };
        var doc = Parse("apiVersion: example.io/v1\nkind: Thing\nmetadata:\n  name: thing\n");
        var d = Assert.Single(new SchemaValidator().Validate(root, doc, new SchemaValidationOptions { Strict = true }));
        Assert.Equal("spec: Required value", d.Detail);
        Assert.Equal(1, d.Location.Line);
    }

    [Fact]
    public void A_null_required_field_is_present_but_of_the_wrong_type()
    {
        Assert.Equal(
            ["spec.hosts: Invalid value: \"null\": spec.hosts in body must be of type array: \"null\""],
            Details(Hosts, "hosts:"));
    }

    [Fact]
    public void Enum_lists_the_supported_values()
    {
        var spec = Obj(("mode", new SchemaNode { Type = SchemaType.String, Enum = ["UNSET", "STRICT"] }));
        Assert.Equal(
            ["spec.mode: Unsupported value: \"BLAH\": supported values: \"UNSET\", \"STRICT\""],
            Details(spec, "mode: BLAH"));
        Assert.Empty(Check(spec, "mode: STRICT"));
    }

    [Fact]
    public void Enum_is_case_sensitive()
    {
        var spec = Obj(("mode", new SchemaNode { Type = SchemaType.String, Enum = ["STRICT"] }));
        Assert.Single(Check(spec, "mode: strict"));
    }

    [Fact]
    public void Integer_enum_compares_numbers()
    {
        var spec = Obj(("code", new SchemaNode { Type = SchemaType.Integer, Enum = [200L, 404L] }));
        Assert.Empty(Check(spec, "code: 404"));
        Assert.Equal(["spec.code: Unsupported value: 500: supported values: \"200\", \"404\""], Details(spec, "code: 500"));
    }

    [Fact]
    public void Null_is_not_in_an_enum_even_when_nullable()
    {
        // kube-openapi checks the enum for null values too.
        var spec = Obj(("mode", new SchemaNode { Type = SchemaType.String, Nullable = true, Enum = ["A"] }));
        Assert.Equal(["spec.mode: Unsupported value: null: supported values: \"A\""], Details(spec, "mode: null"));
    }
}
