using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class ReportingTests
{
    private static SchemaNode Spec => new()
    {
        Type = SchemaType.Object,
        Required = ["host"],
        Properties = new Dictionary<string, SchemaNode>
        {
            ["host"] = Str,
            ["port"] = new() { Type = SchemaType.Integer, Maximum = 65535 },
            ["mode"] = new() { Type = SchemaType.String, Enum = ["A", "B"] },
        },
    };

    [Fact]
    public void Every_error_is_reported_in_stage_and_document_order()
    {
        var doc = Parse("apiVersion: example.io/v1\nkind: Thing\nmetadata:\n  name: Bad_Name\n  color: red\nspec:\n  mode: C\n  port: 70000\n  extra: 1\n");
        var details = new SchemaValidator().Validate(Root(Spec), doc, new SchemaValidationOptions { Strict = true }).Select(d => d.Detail.Split(" (e.g.")[0]).ToArray();
        Assert.Equal(
            [
                "metadata.color: unknown field \"color\"",
                "spec.extra: unknown field \"extra\"",
                "metadata.name: Invalid value: \"Bad_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
                "spec.mode: Unsupported value: \"C\": supported values: \"A\", \"B\"",
                "spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535",
                "spec.host: Required value",
            ],
            details);
    }

    [Fact]
    public void The_same_document_gives_the_same_diagnostics_every_time()
    {
        var first = Details(Spec, "mode: C\nport: 70000\nx: 1");
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(first, Details(Spec, "mode: C\nport: 70000\nx: 1"));
        }
    }

    [Fact]
    public void Diagnostics_render_with_file_and_line()
    {
        var d = Assert.Single(Check(Spec, "host: h\nport: 70000"));
        Assert.Equal($"t.yaml:{SpecFirstLine + 1}: spec.port: Invalid value: 70000: spec.port in body should be less than or equal to 65535", d.ToString());
    }

    [Fact]
    public void A_valid_resource_has_no_diagnostics()
    {
        Assert.Empty(Check(Spec, "host: h\nport: 80\nmode: A"));
    }
}
