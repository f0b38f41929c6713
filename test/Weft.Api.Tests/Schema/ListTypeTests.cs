using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class ListTypeTests
{
    private static SchemaNode Set => Obj(("hosts", new SchemaNode { Type = SchemaType.Array, Items = Str, ListType = "set" }));

    private static SchemaNode MapList(params string[] keys) => Obj(("ports", new SchemaNode
    {
        Type = SchemaType.Array,
        ListType = "map",
        ListMapKeys = keys,
        Items = Obj(("name", Str), ("number", Int), ("protocol", Str)),
    }));

    [Fact]
    public void Set_reports_the_second_occurrence_only()
    {
        Assert.Equal(["spec.hosts[1]: Duplicate value: \"a\""], Details(Set, "hosts: [a, a, a, b]"));
    }

    [Fact]
    public void Set_tells_numbers_from_strings()
    {
        var spec = Obj(("v", new SchemaNode { Type = SchemaType.Array, ListType = "set", Items = new SchemaNode { IntOrString = true } }));
        Assert.Empty(Check(spec, "v: [1, \"1\"]"));
        Assert.Equal(["spec.v[1]: Duplicate value: 1"], Details(spec, "v: [1, 1]"));
    }

    [Fact]
    public void Map_list_reports_the_duplicate_key()
    {
        var d = Assert.Single(Check(MapList("name"), "ports:\n- name: a\n  number: 1\n- name: a\n  number: 12"));
        Assert.Equal("spec.ports[1]: Duplicate value: {\"name\":\"a\"}", d.Detail);
        Assert.Equal(SpecFirstLine + 3, d.Location.Line);
    }

    [Fact]
    public void Map_list_treats_a_missing_key_as_a_value()
    {
        Assert.Equal(["spec.ports[1]: Duplicate value: {}"], Details(MapList("name"), "ports:\n- number: 1\n- number: 2"));
    }

    [Fact]
    public void Map_list_with_several_keys_compares_them_together()
    {
        var spec = MapList("number", "protocol");
        Assert.Empty(Check(spec, "ports:\n- {number: 80, protocol: TCP}\n- {number: 80, protocol: UDP}"));
        Assert.Equal(
            ["spec.ports[1]: Duplicate value: {\"number\":80,\"protocol\":\"TCP\"}"],
            Details(spec, "ports:\n- {number: 80, protocol: TCP, name: a}\n- {protocol: TCP, number: 80, name: b}"));
    }

    [Fact]
    public void Map_list_items_must_be_objects()
    {
        Assert.Contains(
            "spec.ports[0]: Invalid value: \"x\": must be an object for an array of list-type map",
            Details(MapList("name"), "ports: [x]"));
    }

    [Fact]
    public void List_type_errors_come_after_schema_errors()
    {
        Assert.Equal(
            [
                "spec.ports[1].number: Invalid value: \"string\": spec.ports[1].number in body must be of type integer: \"string\"",
                "spec.ports[1]: Duplicate value: {\"name\":\"a\"}",
            ],
            Details(MapList("name"), "ports:\n- name: a\n- name: a\n  number: x"));
    }
}
