using System.Diagnostics;
using Weft.Cli.Tests.Support;

namespace Weft.Cli.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public void Help_lists_the_commands()
    {
        var run = CliRun.Of(["--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("validate", run.Stdout);
        Assert.Contains("control", run.Stdout);
        Assert.Contains("\n  up <DIR>  ", run.Stdout);
        Assert.Contains("\n  sample  ", run.Stdout);
        Assert.Contains("proxy", run.Stdout);
        Assert.Contains("version", run.Stdout);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("control")]
    [InlineData("up")]
    [InlineData("sample")]
    [InlineData("proxy")]
    [InlineData("version")]
    public void Every_command_has_help(string command)
    {
        var run = CliRun.Of([command, "--help"]);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Usage:", run.Stdout);
    }

    [Fact]
    public void Unknown_command_is_one_clear_sentence_and_exit_code_2()
    {
        var run = CliRun.Of(["frobnicate"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft: unrecognized command or argument 'frobnicate'", run.Stderr);
    }

    [Fact]
    public void Control_without_its_directory_says_so()
    {
        var run = CliRun.Of(["control", "--config", "/nonexistent/weft-config"]);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("weft control: config directory /nonexistent/weft-config does not exist", run.Stderr.Trim());
    }

    [Fact]
    public void Control_with_a_malformed_address_is_a_usage_error()
    {
        var run = CliRun.Of(["control", "--config", ".", "--xds-address", "localhost"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft control: --xds-address \"localhost\" is not HOST:PORT", run.Stderr);
    }

    [Fact]
    public void Bad_output_format_is_a_usage_error()
    {
        var run = CliRun.Of(["validate", "-f", "x.yaml", "-o", "xml"]);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("weft validate:", run.Stderr);
    }

    /// <summary>The launcher at the repository root builds weft when needed and runs it, as on a fresh clone.</summary>
    [Fact]
    public async Task Launcher_script_runs_weft()
    {
        var start = new ProcessStartInfo(Path.Combine(CliRun.RepositoryRoot, "weft"), "--help")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = CliRun.RepositoryRoot,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Contains("validate", await stdout);
    }
}
