using Weft.Cli.Up.Proxies;

namespace Weft.Cli.Tests.Up;

/// <summary>How <c>weft up</c> starts a proxy: the compiled binary <c>./weft</c> names, or this weft when there is none.</summary>
public sealed class WeftExecutableTests
{
    [Fact]
    public void A_named_compiled_proxy_that_exists_is_started_with_the_arguments_as_given()
    {
        var binary = Path.GetTempFileName();
        try
        {
            var start = WeftExecutable.ProxyStartInfo(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local"], binary);
            Assert.Equal(binary, start.FileName);
            Assert.Equal(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local"], start.ArgumentList);
        }
        finally
        {
            File.Delete(binary);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/nonexistent/weft-proxy/weft")]
    public void Without_a_compiled_proxy_this_weft_runs_the_proxy_command(string? compiled)
    {
        var start = WeftExecutable.ProxyStartInfo(["proxy", "--node-id", "n"], compiled);
        var itself = WeftExecutable.StartInfo(["proxy", "--node-id", "n"]);
        Assert.Equal(itself.FileName, start.FileName);
        Assert.Equal(itself.ArgumentList, start.ArgumentList);
        Assert.Equal(typeof(WeftCommand).Assembly.Location, start.ArgumentList[0]);
    }
}
