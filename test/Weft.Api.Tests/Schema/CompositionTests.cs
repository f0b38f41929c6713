using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class CompositionTests
{
    private static SchemaNode Requires(string field) => new() { Required = [field] };

    /// <summary>How Istio's CRDs say "at most one of wasm and lua".</summary>
    private static SchemaNode AtMostOne => new()
    {
        Type = SchemaType.Object,
        Properties = new Dictionary<string, SchemaNode> { ["wasm"] = Str, ["lua"] = Str, ["other"] = Str },
        OneOf = [new SchemaNode { Not = new SchemaNode { AnyOf = [Requires("wasm"), Requires("lua")] } }, Requires("wasm"), Requires("lua")],
    };

    [Theory]
    [InlineData("other: x")]
    [InlineData("wasm: x")]
    [InlineData("lua: x")]
    public void At_most_one_accepts_none_or_one(string yaml) => Assert.Empty(Check(AtMostOne, yaml));

    [Fact]
    public void At_most_one_rejects_both_with_the_api_server_message()
    {
        var d = Assert.Single(Check(AtMostOne, "wasm: x\nlua: y"));
        Assert.Equal("spec: Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found 2 valid alternatives", d.Detail);
        Assert.Equal(SpecFirstLine, d.Location.Line);
    }

    [Fact]
    public void One_of_with_no_match_reports_the_closest_alternative()
    {
        var spec = new SchemaNode { Type = SchemaType.Object, OneOf = [Requires("a"), Requires("b")] };
        Assert.Equal(
            [
                "spec: Invalid value: \"\": \"spec\" must validate one and only one schema (oneOf). Found none valid",
                "spec.a: Required value",
            ],
            Details(spec, "c: 1", strict: false));
    }

    [Fact]
    public void Any_of_reports_when_nothing_fits()
    {
        var spec = new SchemaNode { Type = SchemaType.Object, AnyOf = [Requires("a"), Requires("b")] };
        Assert.Empty(Check(spec, "b: 1", strict: false));
        Assert.Equal(
            ["spec: Invalid value: \"\": \"spec\" must validate at least one schema (anyOf)", "spec.a: Required value"],
            Details(spec, "c: 1", strict: false));
    }

    [Fact]
    public void All_of_reports_every_failing_part()
    {
        var spec = new SchemaNode { Type = SchemaType.Object, AllOf = [Requires("a"), Requires("b")] };
        Assert.Equal(
            ["spec.b: Required value", "spec: Invalid value: \"\": \"spec\" must validate all the schemas (allOf)"],
            Details(spec, "a: 1", strict: false));
        Assert.Equal(
            ["spec.a: Required value", "spec.b: Required value", "spec: Invalid value: \"\": \"spec\" must validate all the schemas (allOf). None validated"],
            Details(spec, "c: 1", strict: false));
    }

    [Fact]
    public void Not_rejects_a_match()
    {
        var spec = new SchemaNode { Type = SchemaType.Object, Not = Requires("a") };
        Assert.Equal(["spec: Invalid value: \"\": \"spec\" must not validate the schema (not)"], Details(spec, "a: 1", strict: false));
    }

    [Fact]
    public void Int_or_string_any_of_accepts_both()
    {
        // The generated form: x-kubernetes-int-or-string plus anyOf of the two types.
        var port = new SchemaNode { IntOrString = true, AnyOf = [Int, Str] };
        Assert.Empty(Check(Obj(("port", port)), "port: 80"));
        Assert.Empty(Check(Obj(("port", port)), "port: http"));
    }
}
