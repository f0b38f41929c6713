using System.Net;
using System.Net.Sockets;
using Weft.Cli.Tests.Support;

namespace Weft.Cli.Tests.Up;

/// <summary>
/// <c>weft up</c> run in-process with its output captured (no terminal, so it prints summary lines), up to the point where
/// it needs the proxy; these tests hold whether or not this build has <c>weft proxy</c>.
/// </summary>
public sealed class UpCommandTests : IDisposable
{
    private readonly CanaryCopy _canary = new();

    public void Dispose() => _canary.Dispose();

    private CliRun Up(params string[] extra) =>
        CliRun.Of(["up", _canary.Directory, "--xds-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0", "--no-view", "--duration", "1", .. extra]);

    [Fact]
    public void A_workload_port_in_use_stops_it_with_the_port_and_the_workload_named()
    {
        using var holder = new TcpListener(_canary.V2Address);
        holder.Start();

        var run = Up();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"weft up: WorkloadEntry default/product-catalog-v2 ({Path.Combine(_canary.Directory, "service.yaml")}) cannot run: "
            + $"127.0.0.1:{_canary.V2Port} is already in use by another program; stop what holds port {_canary.V2Port} or give the WorkloadEntry another port", run.Stderr);
        Assert.Contains($"weft up: workload product-catalog-v1: product-catalog v1 on 127.0.0.1:{_canary.V1Port}", run.Stdout);
        Assert.Contains("weft up: stopping workload product-catalog-v1, control plane", run.Stdout);
    }

    [Fact]
    public void An_invalid_file_is_reported_with_file_and_line_and_the_rest_runs()
    {
        _canary.Write("broken.yaml", """
            apiVersion: networking.istio.io/v1
            kind: VirtualService
            metadata:
              name: broken
              namespace: default
            spec:
              hosts:
              - ratings.default.svc.cluster.local
              http:
              - route:
                - destination:
                    host: ratings.default.svc.cluster.local
                  weight: -5
            """);

        var run = Up();

        var file = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(_canary.Directory, "broken.yaml"));
        Assert.Contains($"{file}:13: VirtualService default/broken: spec.http[0].route[0].weight", run.Stderr);
        Assert.Contains("6 resource(s) from", run.Stdout);
        Assert.Contains("1 rejected", run.Stdout);
        Assert.Contains("weft up: workload product-catalog-v1: product-catalog v1", run.Stdout);
        Assert.Contains("weft up: workload product-catalog-v2: product-catalog v2", run.Stdout);
        Assert.Equal(WeftCommand.HasCommand("proxy") ? 0 : 1, run.ExitCode);
    }

    [SkippableFact]
    public void Without_weft_proxy_it_says_so_plainly()
    {
        Skip.If(WeftCommand.HasCommand("proxy"), "SKIPPED: this build has weft proxy; the end-to-end tests cover weft up with it");

        var run = Up();

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("weft up: cannot start the client proxy: this build of weft has no 'weft proxy' command yet", run.Stderr);
        Assert.Contains("weft up: stopping workload product-catalog-v2, workload product-catalog-v1, control plane", run.Stdout);
    }

    [Fact]
    public void A_control_plane_address_in_use_is_an_error_naming_it()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var taken = holder.LocalEndpoint.ToString()!;

        var run = CliRun.Of(["up", _canary.Directory, "--xds-address", taken, "--http-address", "127.0.0.1:0", "--no-view"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"weft up: the control plane cannot listen: Failed to bind to address http://{taken}: address already in use", run.Stderr);
    }

    [Fact]
    public void A_missing_directory_is_one_sentence()
    {
        var run = CliRun.Of(["up", "/nonexistent/weft-up"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("weft up: directory /nonexistent/weft-up does not exist", run.Stderr.Trim());
    }

    [Theory]
    [InlineData("--rate", "0", "weft up: --rate must be above 0 and at most 10000 requests per second, not 0")]
    [InlineData("--duration", "-1", "weft up: --duration must be a number of seconds above 0, not -1")]
    [InlineData("--xds-address", "nowhere", "weft up: --xds-address \"nowhere\" is not HOST:PORT (for example 127.0.0.1:15010)")]
    public void Bad_flags_are_usage_errors(string flag, string value, string error)
    {
        var run = CliRun.Of(["up", _canary.Directory, flag, value]);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal(error, run.Stderr.Trim());
    }
}
