using System.Diagnostics;
using System.Globalization;

namespace Weft.Cli.Up.Proxies;

/// <summary>
/// Runs each proxy as <c>weft proxy</c>, a child process of this very <c>weft</c> (or the compiled proxy <c>./weft</c> names),
/// with its output kept for errors.
/// </summary>
internal sealed class ChildProcessProxyRunner : IProxyRunner
{
    public Task<IRunningProxy> StartAsync(ProxyLaunch launch, CancellationToken cancel)
    {
        if (!WeftCommand.HasCommand("proxy"))
        {
            throw new ProxyStartException("this build of weft has no 'weft proxy' command yet (the proxy is being built), so there is no proxy to send traffic through");
        }

        var start = WeftExecutable.ProxyStartInfo(
        [
            "proxy",
            "--node-id", launch.NodeId,
            .. launch.Secure is { } secure
                ? ["--secure-xds-address", Text(secure.Address), "--root-cert", secure.RootCert, "--service-account", secure.ServiceAccount]
                : new[] { "--xds-address", Text(launch.XdsAddress) },
            "--outbound-address", Text(launch.OutboundAddress),
            "--inbound-address", Text(launch.InboundAddress),
            "--admin-address", Text(launch.AdminAddress),
            "--stats-address", Text(launch.StatsAddress),
            "--health-address", Text(launch.HealthAddress),
            .. launch.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).SelectMany(l => new[] { "--label", $"{l.Key}={l.Value}" }),
        ]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.RedirectStandardInput = true;
        start.UseShellExecute = false;
        var output = new OutputTail(20);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            process.Dispose();
            throw new ProxyStartException($"cannot start {start.FileName}: {e.Message}");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return Task.FromResult<IRunningProxy>(new ChildProxy(process, output));
    }

    private static string Text(System.Net.IPEndPoint endpoint) => endpoint.ToString();

    private sealed class ChildProxy : IRunningProxy
    {
        private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

        private readonly Process _process;
        private readonly OutputTail _output;
        private readonly Task _exited;

        public ChildProxy(Process process, OutputTail output)
        {
            _process = process;
            _output = output;
            _exited = process.WaitForExitAsync();
            Description = $"weft proxy, pid {process.Id.ToString(CultureInfo.InvariantCulture)}";
            Stopped = Why();
        }

        public string Description { get; }

        public Task<string> Stopped { get; }

        private async Task<string> Why()
        {
            await _exited.ConfigureAwait(false);
            var tail = _output.Text();
            return $"weft proxy exited with code {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}"
                + (tail.Length > 0 ? ":" + Environment.NewLine + tail : " and printed nothing");
        }

        public async ValueTask DisposeAsync()
        {
            if (!_exited.IsCompleted)
            {
                // Ask first, as a service manager would; a proxy that does not stop in time is killed.
                if (PosixSignal.Send(_process.Id, PosixSignal.Terminate))
                {
                    await Task.WhenAny(_exited, Task.Delay(StopGrace)).ConfigureAwait(false);
                }

                if (!_exited.IsCompleted)
                {
                    _process.Kill(entireProcessTree: true);
                }

                await _exited.ConfigureAwait(false);
            }

            _process.Dispose();
        }
    }
}
