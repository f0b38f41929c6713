using System.Text;
using Weft.Proxy.LoadBalancing;

namespace Weft.Proxy.Tests.LoadBalancing;

/// <summary>xxHash64 against reference values (the specification's empty-input value, the rest computed with libxxhash).</summary>
public sealed class XxHash64Tests
{
    [Theory]
    [InlineData("", 0ul, 0xEF46DB3751D8E999ul)]
    [InlineData("a", 0ul, 0xD24EC4F1A98C6E5Bul)]
    [InlineData("abc", 0ul, 0x44BC2CF5AD770999ul)]
    [InlineData("message digest", 0ul, 0x066ED728FCEEB3BEul)]
    [InlineData("abcdefghijklmnopqrstuvwxyz0123456789", 0ul, 0x64F23ECF1609B766ul)] // 36 bytes: the 32-byte stripe path
    [InlineData("Nobody inspects the spammish repetition", 0ul, 0xFBCEA83C8A378BF1ul)]
    [InlineData("", 1ul, 0xD5AFBA1336A3BE4Bul)]
    [InlineData("10.0.0.1:80", 1ul, 0xA456919BCBFFAA92ul)] // a Maglev skip seed
    public void Matches_the_reference(string input, ulong seed, ulong expected)
    {
        Assert.Equal(expected, XxHash64.Hash(Encoding.UTF8.GetBytes(input), seed));
        Assert.Equal(expected, XxHash64.Hash(input.AsSpan(), seed));
    }

    [Fact]
    public void Long_inputs_with_every_tail_length()
    {
        var bytes = Enumerable.Range(0, 101).Select(i => (byte)i).ToArray();
        Assert.Equal(0x843D211D892EA64Aul, XxHash64.Hash(bytes, 0x9E3779B97F4A7C15));
    }

    [Fact]
    public void Strings_longer_than_the_stack_buffer_hash_as_their_bytes()
    {
        var text = new string('é', 2000);
        Assert.Equal(XxHash64.Hash(Encoding.UTF8.GetBytes(text)), XxHash64.Hash(text.AsSpan()));
    }
}
