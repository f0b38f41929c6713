using Weft.Api.GoCompat;

namespace Weft.Api.Tests.GoCompat;

/// <summary>Go's net package: SplitHostPort and its error texts.</summary>
public sealed class GoNetTests
{
    [Theory]
    [InlineData("127.0.0.1:80", "127.0.0.1", "80", null)]
    [InlineData("[::1]:80", "::1", "80", null)]
    [InlineData(":80", "", "80", null)]
    [InlineData("127.0.0.1", "", "", "address 127.0.0.1: missing port in address")]
    [InlineData("::1:80", "", "", "address ::1:80: too many colons in address")]
    [InlineData("[::1]80", "", "", "address [::1]80: missing port in address")]
    [InlineData("[::1", "", "", "address [::1: missing ']' in address")]
    public void Split_host_port_follows_go(string text, string host, string port, string? error)
    {
        Assert.Equal(error, GoNet.SplitHostPort(text, out var h, out var p));
        Assert.Equal(host, h);
        Assert.Equal(port, p);
    }
}
