using Weft.Api.Schema;
using static Weft.Api.Tests.Schema.SchemaKit;

namespace Weft.Api.Tests.Schema;

public sealed class ObjectMetaTests
{
    private static string[] Meta(string metadata, bool strict = true)
    {
        var doc = Parse("apiVersion: example.io/v1\nkind: Thing\n" + metadata + "spec: {}\n");
        return new SchemaValidator().Validate(Root(Obj()), doc, new SchemaValidationOptions { Strict = strict }).Select(d => d.Detail).ToArray();
    }

    [Fact]
    public void A_typical_metadata_block_is_fine()
    {
        Assert.Empty(Meta(
            "metadata:\n  name: reviews\n  namespace: bookinfo\n  labels:\n    app: reviews\n    app.kubernetes.io/version: v1\n"
            + "  annotations:\n    Example.com/Note: anything at all\n  creationTimestamp: null\n  resourceVersion: \"42\"\n  generation: 3\n"));
    }

    [Fact]
    public void Name_is_required_unless_generate_name_is_set()
    {
        Assert.Equal(["metadata.name: Required value: name or generateName is required"], Meta("metadata:\n  namespace: a\n"));
        Assert.Equal(["metadata.name: Required value: name or generateName is required"], Meta(string.Empty));
        Assert.Empty(Meta("metadata:\n  generateName: reviews-\n"));
    }

    [Fact]
    public void Name_must_be_a_dns_subdomain()
    {
        Assert.Equal(
            ["metadata.name: Invalid value: \"Reviews_v1\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"],
            Meta("metadata:\n  name: Reviews_v1\n"));
    }

    [Fact]
    public void Namespace_must_be_a_dns_label()
    {
        Assert.Equal(["metadata.namespace: Invalid value: \"a.b\": must not contain dots"], Meta("metadata:\n  name: x\n  namespace: a.b\n"));
    }

    [Fact]
    public void Label_keys_and_values_follow_the_label_rules()
    {
        Assert.Equal(
            [
                "metadata.labels: Invalid value: \"-bad\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                "metadata.labels: Invalid value: \"x y\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ],
            Meta("metadata:\n  name: x\n  labels:\n    -bad: ok\n    good: x y\n"));
    }

    [Fact]
    public void Label_values_must_be_strings()
    {
        Assert.Equal(
            ["metadata.labels.port: Invalid value: \"integer\": metadata.labels.port in body must be of type string: \"integer\""],
            Meta("metadata:\n  name: x\n  labels:\n    port: 80\n"));
    }

    [Fact]
    public void Unknown_metadata_fields_are_errors_in_strict_mode_only()
    {
        Assert.Equal(["metadata.lables: unknown field \"lables\""], Meta("metadata:\n  name: x\n  lables: {a: b}\n"));
        Assert.Empty(Meta("metadata:\n  name: x\n  lables: {a: b}\n", strict: false));
    }

    [Fact]
    public void Owner_references_need_their_identifying_fields()
    {
        Assert.Equal(
            ["metadata.ownerReferences[0].kind: Required value: must not be empty", "metadata.ownerReferences[0].uid: Required value: must not be empty"],
            Meta("metadata:\n  name: x\n  ownerReferences:\n  - apiVersion: v1\n    name: owner\n"));
    }

    [Fact]
    public void Negative_generation_is_invalid()
    {
        Assert.Equal(["metadata.generation: Invalid value: -1: must be greater than or equal to 0"], Meta("metadata:\n  name: x\n  generation: -1\n"));
    }
}
