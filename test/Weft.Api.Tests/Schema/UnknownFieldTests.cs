using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class UnknownFieldTests
{
    private static SchemaNode Spec => Obj(
        ("host", Str),
        ("http", new SchemaNode { Type = SchemaType.Array, Items = Obj(("name", Str)) }),
        ("labels", new SchemaNode { Type = SchemaType.Object, AdditionalProperties = Obj(("v", Str)) }),
        ("value", new SchemaNode { Type = SchemaType.Object, PreserveUnknownFields = true, Properties = new Dictionary<string, SchemaNode> { ["name"] = Str } }),
        ("tags", new SchemaNode { Type = SchemaType.Array }));

    [Fact]
    public void Strict_mode_names_the_unknown_field_at_its_key()
    {
        var d = Assert.Single(Check(Spec, "host: a\nfoo: 1"));
        Assert.Equal("spec.foo: unknown field \"foo\"", d.Detail);
        Assert.Equal(SpecFirstLine + 1, d.Location.Line);
    }

    [Fact]
    public void Lenient_mode_ignores_unknown_fields()
    {
        Assert.Empty(Check(Spec, "host: a\nfoo: 1", strict: false));
    }

    [Fact]
    public void Unknown_fields_in_list_items_and_map_values()
    {
        Assert.Equal(
            ["spec.http[1].nme: unknown field \"nme\"", "spec.labels.a.x: unknown field \"x\""],
            Details(Spec, "http:\n- name: a\n- nme: b\nlabels:\n  a: {x: 1}"));
    }

    [Fact]
    public void Preserved_fields_are_not_checked_but_known_ones_still_are()
    {
        Assert.Empty(Check(Spec, "value:\n  anything: {deep: [1]}\n  name: n"));
        Assert.Equal(
            ["spec.value.name: Invalid value: \"integer\": spec.value.name in body must be of type string: \"integer\""],
            Details(Spec, "value:\n  anything: 1\n  name: 5"));
    }

    [Fact]
    public void Objects_in_a_list_without_item_schema_have_no_known_fields()
    {
        Assert.Equal(["spec.tags[0].a: unknown field \"a\""], Details(Spec, "tags:\n- a: 1"));
    }

    [Fact]
    public void The_resource_type_and_metadata_are_never_unknown_but_other_top_level_fields_are()
    {
        var doc = Parse("apiVersion: example.io/v1\nkind: Thing\nmetadata:\n  name: thing\nspec: {}\nextra: 1\n");
        var d = Assert.Single(new SchemaValidator().Validate(Root(Spec), doc, new SchemaValidationOptions { Strict = true }));
        Assert.Equal("extra: unknown field \"extra\"", d.Detail);
    }

    [Fact]
    public void Fields_of_an_object_given_where_a_scalar_belongs_are_unknown_too()
    {
        // The API server's pruner drops them before validation; strict mode reports them.
        Assert.Equal(
            ["spec.host.a: unknown field \"a\"", "spec.host: Invalid value: \"object\": spec.host in body must be of type string: \"object\""],
            Details(Spec, "host: {a: 1}"));
    }

    [Fact]
    public void Unknown_fields_are_not_validated_further()
    {
        Assert.Equal(["spec.foo: unknown field \"foo\""], Details(Spec, "foo: {bar: [1, 2]}"));
    }
}
