using Weft.Api.Documents;
using Weft.Api.Schema;

namespace Weft.Api.Tests.Schema;

/// <summary>Decoded values rendered as the API server's messages embed them.</summary>
public sealed class ApiValueTextTests
{
    [Fact]
    public void Json_sorts_keys_and_escapes_html()
    {
        var node = YamlReader.Read("b: <x>\na: [1, 2.5, true, null]\n", "t.yaml").Single().Root!;
        Assert.Equal("{\"a\":[1,2.5,true,null],\"b\":\"\\u003cx\\u003e\"}", ApiValueText.Json(node));
    }
}
