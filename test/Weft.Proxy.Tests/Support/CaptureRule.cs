using System.Diagnostics;
using System.Globalization;

namespace Weft.Proxy.Tests.Support;

/// <summary>
/// An iptables rule of Istio's capture, narrowed to one loopback address and port that nothing else on the machine
/// uses, removed on dispose: a <c>nat OUTPUT</c> REDIRECT (Istio's default interception) or a <c>mangle PREROUTING</c>
/// TPROXY (its TPROXY interception; connections to a loopback address pass PREROUTING on their way in, so a test's own
/// connections are diverted). <see cref="Unavailable"/> says why a test cannot install one here (not Linux, not root,
/// no iptables, or the kernel refusing it).
/// </summary>
internal sealed class CaptureRule : IAsyncDisposable
{
    private readonly string[] _spec;

    private CaptureRule(string[] spec)
    {
        _spec = spec;
    }

    /// <summary>Why rules cannot be installed here; null when they can be tried.</summary>
    public static string? Unavailable()
    {
        if (!OperatingSystem.IsLinux())
        {
            return "SKIPPED: SO_ORIGINAL_DST, TPROXY and iptables are Linux's";
        }

        if (!Environment.IsPrivilegedProcess)
        {
            return "SKIPPED: installing an iptables rule needs root";
        }

        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':').Append("/usr/sbin").Append("/sbin");
        return path.Any(p => File.Exists(Path.Combine(p, "iptables"))) ? null : "SKIPPED: iptables is not installed (apt-get install iptables)";
    }

    /// <summary>Redirects TCP to <paramref name="address"/>:<paramref name="port"/> to 127.0.0.1:<paramref name="toPort"/>; null (with the reason) when refused.</summary>
    public static async Task<(CaptureRule? Rule, string? Refusal)> RedirectAsync(string address, int port, int toPort)
    {
        string[] spec =
        [
            "-t", "nat", "OUTPUT", "-p", "tcp", "-d", address + "/32", "--dport", port.ToString(CultureInfo.InvariantCulture),
            "-m", "comment", "--comment", "weft-proxy-tests",
            "-j", "REDIRECT", "--to-ports", toPort.ToString(CultureInfo.InvariantCulture),
        ];
        var (code, error) = await IptablesAsync("-A", spec);
        return code == 0 ? (new CaptureRule(spec), null) : (null, $"SKIPPED: iptables refused a REDIRECT rule: {error.Trim()}");
    }

    /// <summary>Diverts TCP to <paramref name="address"/>:<paramref name="port"/> to the transparent socket on 127.0.0.1:<paramref name="toPort"/>, marked as Istio marks it.</summary>
    public static async Task<(CaptureRule? Rule, string? Refusal)> TproxyAsync(string address, int port, int toPort)
    {
        string[] spec =
        [
            "-t", "mangle", "PREROUTING", "-p", "tcp", "-d", address + "/32", "--dport", port.ToString(CultureInfo.InvariantCulture),
            "-m", "comment", "--comment", "weft-proxy-tests",
            "-j", "TPROXY", "--on-ip", "127.0.0.1", "--on-port", toPort.ToString(CultureInfo.InvariantCulture), "--tproxy-mark", "0x539/0xffffffff",
        ];
        var (code, error) = await IptablesAsync("-A", spec);
        return code == 0 ? (new CaptureRule(spec), null) : (null, $"SKIPPED: iptables refused a TPROXY rule (is xt_TPROXY available?): {error.Trim()}");
    }

    public async ValueTask DisposeAsync() => await IptablesAsync("-D", _spec);

    /// <summary>Runs <c>iptables -t TABLE ACTION CHAIN rest...</c>.</summary>
    private static async Task<(int Code, string Error)> IptablesAsync(string action, string[] spec)
    {
        var start = new ProcessStartInfo("iptables") { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(spec[0]);
        start.ArgumentList.Add(spec[1]);
        start.ArgumentList.Add(action);
        foreach (var argument in spec.Skip(2))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return (process.ExitCode, await error);
    }
}
