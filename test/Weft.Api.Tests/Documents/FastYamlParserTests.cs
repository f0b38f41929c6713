using Weft.Api.Documents;
using Weft.Api.Documents.Fast;

namespace Weft.Api.Tests.Documents;

/// <summary>
/// The fast parser against the YamlDotNet path it replaces: wherever it accepts input it must build the very same
/// trees, and wherever the reference path fails (syntax, duplicate keys, limits) it must decline so that the error
/// comes out unchanged. The corpus and mutation suites are in <see cref="FastYamlParserCorpusTests"/>.
/// </summary>
public sealed class FastYamlParserTests
{
    private const string File = "t.yaml";

    /// <summary>Valid YAML the fast parser must take, each construct of configuration files and its traps.</summary>
    public static TheoryData<string, string> FastPath => new()
    {
        { "block mapping", "a: 1\nb: two\n" },
        { "nested mappings", "a:\n  b:\n    c:\n      d: deep\n  e: back\nf: top\n" },
        { "value on the following line", "a:\n  value\nb:\n\n  # comment between\n  other\n" },
        { "block sequence", "- a\n- b\n-   c\n" },
        { "sequence at its key's indentation", "a:\n- x\n- y\nb: 2\n" },
        { "indented sequence with empty entry", "a:\n  - x\n  -\n  - z\nb:\n" },
        { "compact nested sequence", "- - a\n" },
        { "compact nested sequences continued", "- - a\n  - b\n- c\n- - - d\n    - e\n" },
        { "compact mapping in sequence", "- key: v\n  other: w\n" },
        { "compact mapping with extra spaces", "-   spaced: 1\n    next: 2\n" },
        { "indentless sequence in compact mapping", "- name: a\n  items:\n  - x\n  - y\n- name: b\n" },
        { "entry value on the following line", "-\n  a: 1\n-\n  - x\n- \n" },
        { "empty values", "a:\nb:\nc: \nd: # comment\n" },
        { "empty value before a document marker", "a:\n---\nb:\n" },
        { "yaml 1.2 scalars", "v: yes\nw: on\nx: 0x1F\ny: 0o17\nz: -12\nf: 1.5e3\ng: .inf\nh: .NaN\nn: ~\no: null\nt: TRUE\ns: 1.2.3\nd: 10s\nu: 1_000\n" },
        { "quoted numbers are strings", "a: '12'\nb: \"12\"\nc: 'true'\nd: \"~\"\n" },
        { "ipv6 in a flow sequence", "addresses: [2001:db8::1, 001:db8::]\n" },
        { "colons inside plain scalars", "url: http://example.com:8080/p?q=1#f\ntime: 12:30:45\nratio: 1:2\n" },
        { "pseudo-header names", "name: :authority\nh:\n- :path\n- name: :method\n:scheme: https\nf: [:a, :b]\nm: {:c: 1, d: :e}\n" },
        { "comment and hash in plain scalars", "a: x#y\nb: x #y\nc: v # comment\n# line\nd: e\n" },
        { "trailing spaces", "a: 1   \nb: two words   \nc: \"q\"   \nd:    \n" },
        { "space before the colon", "a : b\n\"c\" : d\n" },
        { "keys with indicators inside", "-x: 1\n?y: 2\nkey with spaces: 3\na:b: 4\n" },
        { "multi-line plain scalar", "plain: this is\n  a multi line\n  plain scalar\n\n  with a blank line\nnext: x\n" },
        { "multi-line plain scalar in a sequence", "- a\n  b\n   c\n- d\n" },
        { "plain scalar continued less indented", "a: b\n c\n" },
        { "plain scalar with blank lines of spaces", "a: b\n\n   \n  c\n" },
        { "plain words with stars", "a: x *.example.com\nb: x - *\n" },
        { "double-quoted escapes", "dq: \"a\\tb\\n\\r\\u00e9\\x41\\U0001F600\\uD83D\\uDE00 \\\"q\\\" \\\\ \\/ \\0 \\a \\b \\v \\f \\e \\N \\_ \\L \\P \\ \"\n" },
        { "single-quoted escape", "sq: 'it''s'\nsq2: 'x''\n  ''y'\n" },
        { "quoted scalars with tabs", "a: \"tab\tin\"\nb: \"\tlead\"\nc: 'x\ty'\n" },
        { "multi-line double-quoted", "ml: \"line one\n  line two\n\n  line four \\\n  joined\"\n" },
        { "multi-line single-quoted", "sml: 'one\n  two\n\n\n  three'\nb: 'x\n'\nc: 'x\ny'\n" },
        { "quoted continuation with trailing spaces", "a: \"x   \n   y\"\n" },
        { "empty quoted scalars", "a: \"\"\nb: ''\n" },
        { "quoted keys", "\"quoted key\": 1\n'single key': 2\n\"\": 3\n" },
        { "literal block scalar", "key: |\n  a\n   b\n  c\nnext: x\n" },
        { "literal then blank lines", "key: |\n\n  text\n  more\n\n\nother: x\n" },
        { "folded block scalar", "a: >\n  one\n  two\n\n  three\n    more indented\n  back\n\n  \n  end\n" },
        { "chomping", "a: |-\n  strip\nb: |+\n  keep\n\nc: >-\n  folded strip\nd: >+\n  x\n\n\ne: |\n  clip\n\n" },
        { "indentation indicators", "d: |2\n   indented by indicator\ne: >1-\n  x\nf: |2-\n    four\n  two\ng: |+2\n  x\n" },
        { "block scalar in sequence", "- |\n  in seq\n- >\n  folded\n  in seq\n- key: |\n    in compact\n" },
        { "empty block scalars", "a: |\nb: >-\nc: |+\n\nd: 1\n" },
        { "block scalar at the end without newline", "a: |-\n  last line no newline" },
        { "block scalar with tabs in content", "a: |\n  tab\tinside\n  \tleading tab after indent\n" },
        { "block scalar with whitespace-only lines", "a: |\n  text\n    \n  more\n\n  \nb: >\n  x\n      \n  y\n" },
        { "block scalar ended by a comment", "a: |\n  text\n # lower comment\nb: 1\n" },
        { "block scalar with header comment", "a: | # comment\n  text\n" },
        { "flow collections", "key: [ a , b ]\ne: []\nf: {}\ng: [[1, 2], [3]]\nh: [{a: 1}, {b: 2}]\ni: {x: [1, {y: 2}], z: 'q'}\n" },
        { "flow collections over lines", "key: [a, b,\n  c, d]\nother: {x: 1,\n  y: 2}\nz: [\n  \"q\",\n]\n" },
        { "flow comments and trailing commas", "a: [x, # c\n  y, # d\n  z,]\nb: {x: 1,}\n" },
        { "flow empty values", "a: {x: , y: 1}\nb: {x:\n}\n" },
        { "flow multi-line scalars", "a: [a\n  b, c]\nb: [\"multi\n  line\", 'also\n  this']\n" },
        { "flow in sequences", "x:\n  - [a,\n     b]\n  - {c: d,\n     e: f}\n" },
        { "json document", "{\"a\": 1, \"b\": [true, false, null], \"c\": {\"d\": \"e\\u00e9\"}, \"e\": -1.5e3}\n" },
        { "json over lines", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"items\": [\n    {\"a\":1.5,\"b\":-2},\n    {\"c\":\"x\"}\n  ]\n}\n" },
        { "document markers", "---\na: 1\n---\nb: 2\n...\n---\nc: 3\n" },
        { "empty documents", "---\n---\na: 1\n---\n" },
        { "document end only", "---\n...\n" },
        { "markers with comments", "---   # comment\na: 1\n...   # end\n...\n---\nb: 2\n" },
        { "a document of only comments", "# only comments\n# here\n" },
        { "empty input", "" },
        { "root scalars", "plain root\n  continued\n---\n\"quoted root\"\n---\n[1, 2, 3]\n---\n{a: 1}\n" },
        { "comments at any indentation", "a:\n  # comment at deeper level\n  b: 1\n    # deeper comment\n  c: 2\n#comment\nd: 3\n" },
        { "anchors and aliases", "a: &x {p: 1, q: 2}\nb: *x\nc: &s hello\nd: [*s, *s]\n" },
        { "anchored block collections", "a: &m\n  k: v\nb: *m\nc: &l\n- 1\n- 2\nd: *l\n" },
        { "anchored sequence entries", "- &e\n  k: v\n- *e\n- &a\n  - x\n- *a\n" },
        { "anchor redefined", "a: &x 1\nb: &x 2\nc: *x\n" },
        { "anchored empty value", "a: &n\nb: *n\n" },
        { "merge keys", "base: &b\n  x: 1\n  y: 2\nd:\n  <<: *b\n  y: 3\n" },
        { "merge of a list", "a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b, {z: 3}]\n  y: 9\n" },
        { "two merge keys", "m:\n  <<: {a: 1}\n  <<: {b: 2}\n  a: 0\n" },
        { "merge in a flow mapping", "m: {<<: {a: 1}, b: 2}\n" },
        { "quoted merge key is a key", "m:\n  \"<<\": {a: 1}\n" },
        { "tags", "s: !!str 12\ni: !!int \"12\"\nf: !!float 3\nn: !!null \"\"\nb: !!bool true\nt: !!timestamp 2001-12-14\nbin: !!binary aGVsbG8=\n" },
        { "local and non-specific tags", "loc: !foo 12\nns: ! 12\ncustom: !!custom thing\n" },
        { "tags on empty values and collections", "a: !!str\nb: !!null\nc: !!str &q\nd: &r !!str\ne: !!map\n  k: v\nf: !!seq [1]\n" },
        { "tagged sequence entries", "- !!str\n- !!int 3\n" },
        { "large mapping", string.Concat(Enumerable.Range(0, 40).Select(i => $"key{i}: {i}\n")) },
        { "crlf line ends", "a: 1\r\nb:\r\n  - x\r\n  - y: 2\r\n    z: |\r\n      lit\r\n      more\r\nc: \"multi\r\n  line\"\r\nd: plain\r\n  folded\r\n" },
        { "no final line break", "a: 1\nb: [x]" },
        { "non-ascii", "名前: 値\nemoji: 😀\nq: \"é\"\n" },
    };

    /// <summary>Valid YAML the fast parser leaves to YamlDotNet; reading it must not change.</summary>
    public static TheoryData<string, string> Fallback => new()
    {
        { "complex key", "? complex\n: value\n" },
        { "yaml directive", "%YAML 1.2\n---\na: 1\n" },
        { "tag directive", "%TAG !e! tag:example.com,2000:\n---\na: !e!foo 1\n" },
        { "tab as separation", "a:\t1\n" },
        { "tab in a plain scalar", "a: x\ty\n" },
        { "tab in block scalar indentation", "a: >\n \tx\n y\n" },
        { "content on the document start line", "--- |\n  text\n" },
        { "scalar on the document start line", "--- a\n" },
        { "anchor on a key", "&a a: 1\n" },
        { "tag on a key", "!!str a: 1\n" },
        { "verbatim tag", "x: !<tag:yaml.org,2002:str> v\n" },
        { "single-pair mapping in a flow sequence", "a: [b: 1]\n" },
        { "flow mapping key without value", "a: {b, c: 1}\n" },
        { "leading colon after a flow collection", "- [b]\n- :d\n" },
        { "leading colon after a flow quoted scalar", "x: [\"q\", :b]\n" },
        { "document after '...' without '---'", "a: 1\n...\nb: 2\n" },
        { "block scalar at document level", "|\n  text\n" },
        { "lone carriage return", "a: 1\rb: 2\n" },
        { "byte-order mark", "\uFEFFa: 1\n" },
        { "next-line character", "a: \"x\u0085   y\"\n" },
        { "very long key", new string('k', 1010) + ": 1\n" },
    };

    /// <summary>Input the YamlDotNet path rejects; the error must come out exactly as before.</summary>
    public static TheoryData<string, string> Invalid => new()
    {
        { "duplicate key", "a: 1\nb: 2\na: 3\n" },
        { "duplicate key in flow", "a: {x: 1, x: 2}\n" },
        { "unknown alias", "a: *unknown\n" },
        { "merge of a scalar", "m:\n  <<: [1]\n" },
        { "merge of nothing", "m:\n  <<:\n" },
        { "merge of a sequence", "a: &x\n  - 1\nb:\n  <<: *x\n" },
        { "value that does not fit its tag", "a: !!int abc\n" },
        { "empty value with an int tag", "a: !!int\n" },
        { "unterminated flow sequence", "a: [1, 2\nb: 3\n" },
        { "mapping in a plain value", "a: b: c\n" },
        { "mapping in a compact value", "- a: b: c\n" },
        { "text after a quoted scalar", "a: \"x\" y\n" },
        { "over-indented key", "a: 1\n b: 2\n" },
        { "key between indentations", "a:\n    b: 1\n  c: 2\n" },
        { "spaces before a literal's first line", "a: |\n   \n  text\n" },
        { "double-quoted continuation not indented", "a: \"x\n\"\n" },
        { "unpaired surrogate", "a: \"\\uD800\"\n" },
        { "unknown escape", "a: \"\\q\"\n" },
        { "comment right after a flow sequence", "a: [x]#c\n" },
        { "flow collection as key", "[a]: 1\n" },
        { "sequence entry in a mapping value", "a: - x\n" },
        { "mapping line in a sequence", "a:\n  - x\n  y: 1\n" },
        { "multi-line quoted key", "\"a\nb\": 1\n" },
        { "unterminated quote", "a: \"x\n" },
        { "content after '...'", "...\na: 1\n" },
    };

    /// <summary>Inputs that break a limit somewhere, with the limit that breaks.</summary>
    public static TheoryData<string, string, int, int, long> Limited => new()
    {
        { "document size", "a: " + new string('x', 200) + "\n", 100, 100, 1_000_000 },
        { "size of a later document", "a: 1\n---\nb: " + new string('x', 200) + "\n", 150, 100, 1_000_000 },
        { "size with crlf", "a: 1\r\nb: 2\r\n", 11, 100, 1_000_000 },
        { "depth of block mappings", "a:\n  b:\n    c:\n      d: 1\n", 1_000, 3, 1_000_000 },
        { "depth of flow sequences", new string('[', 5000) + new string(']', 5000), 100_000, 100, 1_000_000 },
        { "expansion", "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n", 1_000, 100, 30 },
        { "node count", "a: 1\nb: 2\nc: 3\n", 1_000, 100, 5 },
    };

    [Theory]
    [MemberData(nameof(FastPath))]
    public void Takes_the_fast_path_and_builds_the_YamlDotNet_tree(string name, string yaml)
    {
        var expected = YamlReader.ReadWithYamlDotNet(yaml, File, LoadLimits.Default);
        var actual = FastYamlParser.TryParse(yaml, File, LoadLimits.Default, out var reason);
        Assert.True(actual is not null, $"{name}: the fast parser gave up: {reason}");
        Assert.Null(TreeComparison.FirstDifference(expected, actual));
    }

    [Theory]
    [MemberData(nameof(Fallback))]
    public void Leaves_unusual_yaml_to_YamlDotNet(string name, string yaml)
    {
        var expected = YamlReader.ReadWithYamlDotNet(yaml, File, LoadLimits.Default);
        Assert.True(FastYamlParser.TryParse(yaml, File, LoadLimits.Default) is null, $"{name}: the fast parser took it");
        Assert.Null(TreeComparison.FirstDifference(expected, YamlReader.Read(yaml, File)));
    }

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Errors_come_from_the_YamlDotNet_path_unchanged(string name, string yaml)
    {
        var expected = Assert.Throws<YamlLoadException>(() => YamlReader.ReadWithYamlDotNet(yaml, File, LoadLimits.Default));
        Assert.True(FastYamlParser.TryParse(yaml, File, LoadLimits.Default) is null, $"{name}: the fast parser took it");
        var actual = Assert.Throws<YamlLoadException>(() => YamlReader.Read(yaml, File));
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.Location, actual.Location);
    }

    [Theory]
    [MemberData(nameof(Limited))]
    public void Limits_are_enforced_with_the_same_errors(string name, string yaml, int maxChars, int maxDepth, long maxNodes)
    {
        var limits = new LoadLimits { MaxDocumentChars = maxChars, MaxDepth = maxDepth, MaxExpandedNodes = maxNodes };
        var expected = Assert.Throws<YamlLoadException>(() => YamlReader.ReadWithYamlDotNet(yaml, File, limits));
        Assert.True(FastYamlParser.TryParse(yaml, File, limits) is null, $"{name}: the fast parser took it");
        var actual = Assert.Throws<YamlLoadException>(() => YamlReader.Read(yaml, File, limits));
        Assert.Equal(expected.Message, actual.Message);
        Assert.Equal(expected.Location, actual.Location);
    }

    [Fact]
    public void Limits_that_hold_do_not_send_input_to_YamlDotNet()
    {
        const string yaml = "a: &a [x, x]\nb: [*a, *a]\nc:\n  d:\n    e: 1\n";
        // Root 1, keys 1 each, [x, x] 3, [*a, *a] 1 + 3 + 3, c's mappings 5: every limit is met exactly.
        var limits = new LoadLimits { MaxDocumentChars = yaml.Length, MaxDepth = 3, MaxExpandedNodes = 19 };
        var expected = YamlReader.ReadWithYamlDotNet(yaml, File, limits);
        var actual = FastYamlParser.TryParse(yaml, File, limits, out var reason);
        Assert.True(actual is not null, reason);
        Assert.Null(TreeComparison.FirstDifference(expected, actual));
    }

    [Fact]
    public void Nesting_past_the_parsers_own_bound_is_left_to_YamlDotNet()
    {
        var yaml = new string('[', 400) + new string(']', 400);
        var limits = new LoadLimits { MaxDepth = 1_000 };
        Assert.Null(FastYamlParser.TryParse(yaml, File, limits));
        Assert.Null(TreeComparison.FirstDifference(YamlReader.ReadWithYamlDotNet(yaml, File, limits), YamlReader.Read(yaml, File, limits)));
    }

    [Fact]
    public void An_alias_is_the_anchored_node_itself()
    {
        var root = (MapNode)FastYamlParser.TryParse("a: &x {p: 1}\nb: *x\n", File, LoadLimits.Default)!.Single().Root!;
        Assert.Same(root["a"], root["b"]);
    }

    [Fact]
    public void Locations_name_the_file()
    {
        var root = (MapNode)FastYamlParser.TryParse("a:\n  - b\n", "dir/config.yaml", LoadLimits.Default)!.Single().Root!;
        var item = ((ListNode)root["a"]!).Items[0];
        Assert.Equal(new SourceLocation("dir/config.yaml", 2, 5), item.Location);
        Assert.Equal(new SourceLocation("dir/config.yaml", 1, 1), root.Entry("a")!.Value.KeyLocation);
    }
}
