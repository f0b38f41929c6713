using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class CollectionTests
{
    private static SchemaNode List(long? min = null, long? max = null) =>
        Obj(("hosts", new SchemaNode { Type = SchemaType.Array, Items = Str, MinItems = min, MaxItems = max }));

    private static SchemaNode Map(long? min = null, long? max = null) =>
        Obj(("labels", new SchemaNode { Type = SchemaType.Object, AdditionalProperties = Str, MinProperties = min, MaxProperties = max }));

    [Fact]
    public void Too_few_items()
    {
        Assert.Equal(["spec.hosts: Invalid value: 0: spec.hosts in body should have at least 1 items"], Details(List(min: 1), "hosts: []"));
    }

    [Fact]
    public void Too_many_items_uses_the_too_many_form()
    {
        Assert.Equal(["spec.hosts: Too many: 3: must have at most 2 items"], Details(List(max: 2), "hosts: [a, b, c]"));
        Assert.Equal(["spec.hosts: Too many: 2: must have at most 1 item"], Details(List(max: 1), "hosts: [a, b]"));
    }

    [Fact]
    public void Too_few_and_too_many_properties()
    {
        Assert.Equal(["spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties"], Details(Map(min: 1), "labels: {}"));
        Assert.Equal(["spec.labels: Too many: 2: must have at most 1 item"], Details(Map(max: 1), "labels: {a: b, c: d}"));
    }

    [Fact]
    public void Items_are_named_by_index()
    {
        var d = Assert.Single(Check(List(), "hosts:\n- a\n- 5"));
        Assert.Equal("spec.hosts[1]: Invalid value: \"integer\": spec.hosts[1] in body must be of type string: \"integer\"", d.Detail);
        Assert.Equal(SpecFirstLine + 2, d.Location.Line);
    }

    [Fact]
    public void Map_values_are_named_with_a_dot_as_the_openapi_validator_does()
    {
        Assert.Equal(
            ["spec.labels.app: Invalid value: \"integer\": spec.labels.app in body must be of type string: \"integer\""],
            Details(Map(), "labels:\n  app: 5"));
    }

    [Fact]
    public void Nested_paths_combine_fields_and_indices()
    {
        var route = Obj(("weight", new SchemaNode { Type = SchemaType.Integer, Maximum = 100 }));
        var http = Obj(("route", new SchemaNode { Type = SchemaType.Array, Items = route }));
        var spec = Obj(("http", new SchemaNode { Type = SchemaType.Array, Items = http }));
        var d = Assert.Single(Check(spec, "http:\n- route: []\n- route:\n  - weight: 1\n  - weight: 101"));
        Assert.Equal("spec.http[1].route[1].weight", d.FieldPath);
    }
}
