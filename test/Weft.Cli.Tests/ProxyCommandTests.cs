using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;

namespace Weft.Cli.Tests;

public sealed partial class ProxyCommandTests
{
    [Fact]
    public void Help_lists_the_addresses_it_listens_on()
    {
        var run = Run(["proxy", "--help"]);
        Assert.Equal(0, run.ExitCode);
        foreach (var flag in new[] { "--node-id", "--xds-address", "--outbound-address", "--inbound-address", "--admin-address", "--stats-address", "--health-address", "--log-level", "--label", "--cluster-id", "--service-account", "--access-log", "--access-log-encoding", "--interception-mode", "--concurrency" })
        {
            Assert.Contains(flag, run.Stdout);
        }
    }

    [Fact]
    public void A_malformed_node_id_is_a_usage_error_that_says_why()
    {
        var run = Run(["proxy", "--node-id", "client", "--xds-address", "127.0.0.1:15010"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft proxy: node id \"client\" is not TYPE~IP~NAME.NAMESPACE~DOMAIN", run.Stderr);
    }

    [Fact]
    public void Labels_are_KEY_EQUALS_VALUE_and_repeat()
    {
        Assert.Equal(
            new Dictionary<string, string> { ["app"] = "reviews", ["version"] = "v2", ["service.istio.io/canonical-name"] = "a=b" },
            Weft.Cli.Commands.ProxyCommand.ParseLabels(["app=reviews", "version=v1", "version=v2", "service.istio.io/canonical-name=a=b"]));
    }

    [Fact]
    public void Concurrency_sets_the_socket_event_threads_and_keeps_what_the_user_set()
    {
        const string Threads = "DOTNET_SYSTEM_NET_SOCKETS_THREAD_COUNT";
        const string Inline = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        var saved = (Environment.GetEnvironmentVariable(Threads), Environment.GetEnvironmentVariable(Inline));
        try
        {
            Environment.SetEnvironmentVariable(Threads, null);
            Environment.SetEnvironmentVariable(Inline, null);
            Weft.Cli.Commands.ProxyCommand.EventLoops(3);
            Assert.Equal("3", Environment.GetEnvironmentVariable(Threads));
            Assert.Equal("1", Environment.GetEnvironmentVariable(Inline));

            Environment.SetEnvironmentVariable(Threads, null);
            Weft.Cli.Commands.ProxyCommand.EventLoops(0);
            Assert.Equal(Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture), Environment.GetEnvironmentVariable(Threads));

            Environment.SetEnvironmentVariable(Threads, "5");
            Environment.SetEnvironmentVariable(Inline, "0");
            Weft.Cli.Commands.ProxyCommand.EventLoops(1);
            Assert.Equal("5", Environment.GetEnvironmentVariable(Threads));
            Assert.Equal("0", Environment.GetEnvironmentVariable(Inline));
        }
        finally
        {
            Environment.SetEnvironmentVariable(Threads, saved.Item1);
            Environment.SetEnvironmentVariable(Inline, saved.Item2);
        }
    }

    [Fact]
    public void A_negative_concurrency_is_a_usage_error_naming_the_flag()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010", "--concurrency", "-1"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--concurrency must be 0 (one thread per core) or more", run.Stderr);
    }

    [Fact]
    public void A_label_without_a_value_is_a_usage_error_that_says_why()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010", "--label", "app=web", "--label", "version"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft proxy: --label \"version\" is not KEY=VALUE", run.Stderr);
    }

    [Fact]
    public void An_access_log_that_cannot_be_opened_stops_the_proxy_with_a_sentence()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010",
            "--outbound-address", "127.0.0.1:0", "--inbound-address", "127.0.0.1:0", "--health-address", "127.0.0.1:0", "--stats-address", "127.0.0.1:0",
            "--admin-address", "127.0.0.1:0", "--access-log", "/nonexistent-weft-dir/access.log"]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("weft proxy: cannot open the access log /nonexistent-weft-dir/access.log:", run.Stderr);
    }

    [Fact]
    public void An_unknown_interception_mode_is_a_usage_error()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010", "--interception-mode", "IPVS"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("IPVS", run.Stderr);
    }

    [Fact]
    public void An_unknown_access_log_encoding_is_a_usage_error()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010", "--access-log-encoding", "xml"]);
        Assert.Equal(2, run.ExitCode);
    }

    [Fact]
    public void A_malformed_address_is_a_usage_error_naming_the_flag()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010", "--admin-address", "nowhere"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft proxy: --admin-address \"nowhere\" is not HOST:PORT", run.Stderr);
    }

    [Fact]
    public void A_taken_port_is_reported_as_such()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010",
            "--outbound-address", "127.0.0.1:0", "--inbound-address", "127.0.0.1:0", "--health-address", "127.0.0.1:0", "--stats-address", "127.0.0.1:0",
            "--admin-address", $"127.0.0.1:{port}"]);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("weft proxy: cannot listen:", run.Stderr);
    }

    /// <summary>
    /// The real command as a child process against a real control plane: it gets ready, serves, and on SIGTERM finishes the
    /// request in flight before exiting 0.
    /// </summary>
    [Fact]
    public async Task SIGTERM_drains_the_request_in_flight_and_exits_cleanly()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var backend = await SlowBackend.StartAsync(arrived);
        var directory = Path.Combine(Path.GetTempPath(), "weft-proxy-cli-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "slow.yaml"), $"""
            apiVersion: networking.istio.io/v1
            kind: ServiceEntry
            metadata:
              name: slow
              namespace: default
            spec:
              hosts: [slow.default.svc.cluster.local]
              location: MESH_INTERNAL
              ports: [{"{"}number: 8080, name: http, protocol: HTTP{"}"}]
              resolution: STATIC
              workloadSelector:
                labels: {"{"}app: slow{"}"}
            ---
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: slow-1
              namespace: default
            spec:
              address: 127.0.0.1
              ports: {"{"}http: {backend.Port}{"}"}
              labels: {"{"}app: slow{"}"}
            """);
        try
        {
            await using var plane = await ControlPlane.StartAsync(new ControlPlaneOptions { ConfigDirectory = directory, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0" }, NullLoggerFactory.Instance);
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    Path.Combine(AppContext.BaseDirectory, "weft.dll"), "proxy",
                    "--node-id", "sidecar~127.0.0.1~client.default~default.svc.cluster.local",
                    "--xds-address", plane.XdsEndpoint.ToString(),
                    "--outbound-address", "127.0.0.1:0", "--inbound-address", "127.0.0.1:0", "--admin-address", "127.0.0.1:0",
                    "--health-address", "127.0.0.1:0", "--stats-address", "127.0.0.1:0",
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            try
            {
                var stderr = process.StandardError.ReadToEndAsync();
                var line = await ReadLineContainingAsync(process.StandardOutput, "weft proxy: sidecar~");
                var outbound = AddressAfter(line, "outbound ");
                var health = AddressAfter(line, "health ");
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                await WaitReadyAsync(client, health);

                var request = new HttpRequestMessage(HttpMethod.Get, $"http://{outbound}/");
                request.Headers.Host = "slow.default.svc.cluster.local:8080";
                var pending = client.SendAsync(request);
                await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                using var response = await pending.WaitAsync(TimeSpan.FromSeconds(15));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                Assert.Equal("done", await response.Content.ReadAsStringAsync());
                await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
                Assert.True(process.ExitCode == 0, await stderr);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The command line in-process, output captured (without the shared helper, whose home moves on main).</summary>
    private static (int ExitCode, string Stdout, string Stderr) Run(string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = WeftCommand.Run(args, stdout, stderr, () => new StringReader(string.Empty));
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static async Task<string> ReadLineContainingAsync(StreamReader reader, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException("weft proxy ended before printing its addresses");
    }

    private static string AddressAfter(string line, string label) => Regex.Match(line, Regex.Escape(label) + @"(\S+?),?(\s|$)").Groups[1].Value;

    private static async Task WaitReadyAsync(HttpClient client, string health)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await client.GetAsync($"http://{health}/healthz/ready", timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            await Task.Delay(50, timeout.Token);
        }
    }

    /// <summary>A workload that answers "done" a moment after each request arrives.</summary>
    private sealed class SlowBackend : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private SlowBackend(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }

        public static async Task<SlowBackend> StartAsync(TaskCompletionSource arrived)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            app.Run(async context =>
            {
                arrived.TrySetResult();
                await Task.Delay(TimeSpan.FromMilliseconds(1500), context.RequestAborted);
                await context.Response.WriteAsync("done");
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            return new SlowBackend(app, new Uri(address).Port);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
