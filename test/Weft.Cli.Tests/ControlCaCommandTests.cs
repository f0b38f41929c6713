using Weft.Cli.Tests.Support;

namespace Weft.Cli.Tests;

/// <summary><c>weft control</c>'s CA flags as a user meets them: in the help, and as one sentence when something is wrong.</summary>
public sealed class ControlCaCommandTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "weft-cli-" + Guid.NewGuid().ToString("N")[..12]);

    public ControlCaCommandTests() => Directory.CreateDirectory(Path.Combine(_root, "config"));

    [Fact]
    public void Help_lists_the_ca_flags()
    {
        var run = CliRun.Of(["control", "--help"]);
        Assert.Equal(0, run.ExitCode);
        foreach (var flag in new[] { "--state-dir", "--secure-xds-address", "--cacerts", "--workload-cert-ttl", "--require-tokens" })
        {
            Assert.Contains(flag, run.Stdout);
        }
    }

    [Fact]
    public void A_plug_in_key_without_its_certificate_stops_the_start_naming_both_files()
    {
        var cacerts = Path.Combine(_root, "state", "ca", "cacerts");
        Directory.CreateDirectory(cacerts);
        File.WriteAllText(Path.Combine(cacerts, "ca-key.pem"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        var run = CliRun.Of(["control", "--config", Path.Combine(_root, "config"), "--state-dir", Path.Combine(_root, "state"), "--xds-address", "127.0.0.1:0", "--secure-xds-address", "127.0.0.1:0", "--http-address", "127.0.0.1:0"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal($"weft control: CA: {cacerts}/ca-key.pem exists but its certificate {cacerts}/ca-cert.pem does not: a plug-in CA needs both", run.Stderr.Trim());
    }

    [Fact]
    public void A_certificate_lifetime_that_is_not_a_duration_is_a_usage_error()
    {
        var run = CliRun.Of(["control", "--config", Path.Combine(_root, "config"), "--state-dir", Path.Combine(_root, "state"), "--workload-cert-ttl", "1day"]);
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("weft control: --workload-cert-ttl \"1day\" is not a duration (for example 24h, 90m or 1h30m)", run.Stderr.Trim());
        Assert.False(Directory.Exists(Path.Combine(_root, "state")));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);
}
