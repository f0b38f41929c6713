using System.Diagnostics;

namespace Weft.Cli.Up.Proxies;

/// <summary>
/// Starts the running <c>weft</c> again with other arguments: its native launcher when it was started through one, otherwise the
/// .NET host that runs it (<c>dotnet weft.dll</c>, as <c>./weft</c> and the tests do).
/// </summary>
internal static class WeftExecutable
{
    /// <summary>
    /// Names the compiled proxy (NativeAOT) that <c>weft proxy</c> children run instead of this <c>weft</c>. <c>./weft</c> sets it
    /// for <c>weft up</c> when that binary is built and current, so the mesh on one machine runs the same proxy as <c>./weft proxy</c>.
    /// </summary>
    public const string CompiledProxyVariable = "WEFT_PROXY_EXECUTABLE";

    public static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var current = Environment.ProcessPath;
        var start = new ProcessStartInfo();
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "weft")
        {
            start.FileName = current;
        }
        else
        {
            start.FileName = current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet"
                ? current
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
            start.ArgumentList.Add(typeof(WeftCommand).Assembly.Location);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary><c>weft proxy</c> with <paramref name="arguments"/> (which start with <c>proxy</c>): the compiled proxy when <see cref="CompiledProxyVariable"/> names one.</summary>
    public static ProcessStartInfo ProxyStartInfo(IReadOnlyList<string> arguments) =>
        ProxyStartInfo(arguments, Environment.GetEnvironmentVariable(CompiledProxyVariable));

    /// <summary>
    /// <paramref name="compiled"/> when it names a file that exists, otherwise this <c>weft</c> (a stale or removed binary
    /// is never started: <c>./weft</c> names it only when it is current).
    /// </summary>
    public static ProcessStartInfo ProxyStartInfo(IReadOnlyList<string> arguments, string? compiled)
    {
        if (string.IsNullOrEmpty(compiled) || !File.Exists(compiled))
        {
            return StartInfo(arguments);
        }

        var start = new ProcessStartInfo { FileName = compiled };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }
}
