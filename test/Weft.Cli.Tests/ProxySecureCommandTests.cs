using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Weft.Control.Hosting;

namespace Weft.Cli.Tests;

/// <summary><c>weft proxy --secure-xds-address --root-cert --token-file</c> as a real process against a control plane that requires tokens.</summary>
public sealed partial class ProxyCommandTests
{
    [Theory]
    [InlineData("24h", 24 * 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("4s", 4)]
    [InlineData("1500ms", 1.5)]
    public void Certificate_lifetimes_are_go_durations(string value, double seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), Weft.Cli.Commands.ProxyCommand.ParseDuration(value, "--workload-cert-ttl"));

    [Fact]
    public void A_malformed_certificate_lifetime_is_a_usage_error()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--xds-address", "127.0.0.1:15010", "--workload-cert-ttl", "a day"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft proxy: --workload-cert-ttl \"a day\" is not a duration", run.Stderr);
    }

    [Fact]
    public void The_secure_address_without_a_root_certificate_is_a_usage_error()
    {
        var run = Run(["proxy", "--node-id", "sidecar~127.0.0.1~a.default~default.svc.cluster.local", "--secure-xds-address", "127.0.0.1:15012"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft proxy: --secure-xds-address needs --root-cert FILE", run.Stderr);
    }

    [Fact]
    public async Task A_proxy_process_on_the_secure_port_presents_its_token_and_gets_its_workload_certificate()
    {
        var directory = Path.Combine(Path.GetTempPath(), "weft-secure-proxy-" + Guid.NewGuid().ToString("N")[..8]);
        var config = Path.Combine(directory, "config");
        var state = Path.Combine(directory, "state");
        Directory.CreateDirectory(config);
        Directory.CreateDirectory(Path.Combine(state, "tokens", "default"));
        await File.WriteAllTextAsync(Path.Combine(config, "client.yaml"), """
            apiVersion: networking.istio.io/v1
            kind: WorkloadEntry
            metadata:
              name: client
              namespace: default
            spec:
              address: 127.0.0.1
              serviceAccount: client
            """);
        await File.WriteAllTextAsync(Path.Combine(state, "tokens", "default", "client"), "s3cret\n");
        var tokenFile = Path.Combine(directory, "istio-token");
        await File.WriteAllTextAsync(tokenFile, "s3cret");
        try
        {
            await using var plane = await ControlPlane.StartAsync(
                new ControlPlaneOptions { ConfigDirectory = config, XdsAddress = "127.0.0.1:0", HttpAddress = "127.0.0.1:0", SecureXdsAddress = "127.0.0.1:0", StateDirectory = state, RequireTokens = true },
                NullLoggerFactory.Instance);
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList =
                {
                    Path.Combine(AppContext.BaseDirectory, "weft.dll"), "proxy",
                    "--node-id", "sidecar~127.0.0.1~client.default~default.svc.cluster.local",
                    "--secure-xds-address", plane.SecureXdsEndpoint!.ToString(),
                    "--root-cert", Path.Combine(state, "ca", "root-cert.pem"),
                    "--token-file", tokenFile,
                    "--service-account", "client",
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
                // The issuance may be logged before or after the start line.
                var seen = new List<string>();
                using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                while (!(seen.Any(l => l.Contains("weft proxy: sidecar~", StringComparison.Ordinal)) && seen.Any(l => l.Contains("workload certificate issued", StringComparison.Ordinal)))
                    && await process.StandardOutput.ReadLineAsync(reading.Token) is { } next)
                {
                    seen.Add(next);
                }

                var line = seen.First(l => l.Contains("weft proxy: sidecar~", StringComparison.Ordinal));
                var health = AddressAfter(line, "health ");
                var admin = AddressAfter(line, "admin ");
                using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
                await WaitReadyAsync(client, health);

                var dump = await client.GetStringAsync($"http://{admin}/config_dump");
                Assert.Contains("\"name\": \"default\"", dump, StringComparison.Ordinal);
                Assert.Contains("\"name\": \"ROOTCA\"", dump, StringComparison.Ordinal);
                Assert.Contains("[redacted]", dump, StringComparison.Ordinal);
                Assert.DoesNotContain("PRIVATE KEY", dump, StringComparison.Ordinal);

                var log = seen.First(l => l.Contains("workload certificate issued", StringComparison.Ordinal));
                Assert.Contains("spiffe://cluster.local/ns/default/sa/client", log, StringComparison.Ordinal);
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
}
