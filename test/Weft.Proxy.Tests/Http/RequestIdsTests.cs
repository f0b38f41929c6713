using Weft.Proxy.Http;

namespace Weft.Proxy.Tests.Http;

public sealed class RequestIdsTests
{
    [Fact]
    public void Ids_are_distinct_version_4_uuids_across_buffer_refills()
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 1000; i++)
        {
            var id = RequestIds.Next();
            Assert.True(Guid.TryParseExact(id, "D", out _), id);
            Assert.Equal('4', id[14]);
            Assert.Contains(id[19], "89ab");
            Assert.True(seen.Add(id), id);
        }
    }
}
