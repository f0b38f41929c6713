using Weft.Api.Documents;

namespace Weft.Api.Tests.Documents;

public sealed class YamlReaderTests
{
    private static Node Root(string yaml) => YamlReader.Read(yaml, "t.yaml").Single().Root!;

    [Fact]
    public void Ipv6_in_flow_sequence_is_a_string()
    {
        var list = (ListNode)((MapNode)Root("addresses: [2001:db8::1, 001:db8::]\n"))["addresses"]!;
        Assert.Equal(["2001:db8::1", "001:db8::"], list.Items.Select(i => ((ScalarNode)i).Text));
        Assert.All(list.Items, i => Assert.Equal(ScalarKind.String, ((ScalarNode)i).Kind));
    }

    [Theory]
    [InlineData("yes", ScalarKind.String)]
    [InlineData("on", ScalarKind.String)]
    [InlineData("true", ScalarKind.Bool)]
    [InlineData("FALSE", ScalarKind.Bool)]
    [InlineData("~", ScalarKind.Null)]
    [InlineData("", ScalarKind.Null)]
    [InlineData("12", ScalarKind.Int)]
    [InlineData("-12", ScalarKind.Int)]
    [InlineData("0x1F", ScalarKind.Int)]
    [InlineData("0o17", ScalarKind.Int)]
    [InlineData("1.5", ScalarKind.Float)]
    [InlineData("1e3", ScalarKind.Float)]
    [InlineData(".inf", ScalarKind.Float)]
    [InlineData("1.2.3", ScalarKind.String)]
    [InlineData("10s", ScalarKind.String)]
    [InlineData("'12'", ScalarKind.String)]
    [InlineData("\"true\"", ScalarKind.String)]
    [InlineData("!!str 12", ScalarKind.String)]
    public void Scalars_resolve_as_yaml_1_2(string text, ScalarKind kind)
    {
        var value = (ScalarNode)((MapNode)Root("v: " + text + "\n"))["v"]!;
        Assert.Equal(kind, value.Kind);
    }

    [Fact]
    public void Nodes_remember_their_lines()
    {
        var root = (MapNode)Root("a: 1\nb:\n  - x\n  - y: 2\n");
        var list = (ListNode)root["b"]!;
        Assert.Equal(3, list.Items[0].Location.Line);
        Assert.Equal(4, list.Items[1].Location.Line);
        Assert.Equal(2, root.Entry("b")!.Value.KeyLocation.Line);
    }

    [Fact]
    public void Multiple_documents_and_json()
    {
        var docs = YamlReader.Read("a: 1\n---\n{\"b\": [1, 2]}\n---\n", "t.yaml");
        Assert.Equal(3, docs.Count);
        Assert.Null(docs[2].Root);
        Assert.Equal(3, docs[1].Location.Line);
    }

    [Fact]
    public void Duplicate_key_is_an_error_naming_both_lines()
    {
        var e = Assert.Throws<YamlLoadException>(() => YamlReader.Read("a: 1\nb: 2\na: 3\n", "t.yaml"));
        Assert.Equal(3, e.Location.Line);
        Assert.Contains("\"a\" already defined at line 1", e.Message);
    }

    [Fact]
    public void Syntax_error_names_the_line()
    {
        var e = Assert.Throws<YamlLoadException>(() => YamlReader.Read("a: 1\nb: [1, 2\nc: 3\n", "t.yaml"));
        Assert.True(e.Location.Line >= 2);
        Assert.StartsWith("invalid YAML", e.Message);
    }

    [Fact]
    public void Merge_keys_copy_missing_entries()
    {
        var root = (MapNode)Root("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n");
        var d = (MapNode)root["d"]!;
        Assert.Equal("1", ((ScalarNode)d["x"]!).Text);
        Assert.Equal("3", ((ScalarNode)d["y"]!).Text);
    }

    [Fact]
    public void Billion_laughs_is_stopped_by_the_expansion_limit()
    {
        var yaml = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
        var prev = "a";
        for (var i = 0; i < 9; i++)
        {
            var name = "l" + i;
            yaml += $"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n";
            prev = name;
        }

        var e = Assert.Throws<YamlLoadException>(() => YamlReader.Read(yaml, "t.yaml"));
        Assert.Contains("alias expansion limit", e.Message);
    }

    [Fact]
    public void Deep_nesting_is_stopped_by_the_depth_limit()
    {
        var yaml = new string('[', 5000) + new string(']', 5000);
        var e = Assert.Throws<YamlLoadException>(() => YamlReader.Read(yaml, "t.yaml"));
        Assert.Contains("nesting deeper than", e.Message);
    }

    [Fact]
    public void Oversized_document_is_refused()
    {
        var limits = new LoadLimits { MaxDocumentChars = 100 };
        var e = Assert.Throws<YamlLoadException>(() => YamlReader.Read("a: " + new string('x', 200) + "\n", "t.yaml", limits));
        Assert.Contains("more than the limit", e.Message);
    }
}
