using System.Diagnostics;

namespace Weft.Cli.Up.Proxies;

/// <summary>
/// Starts the running <c>weft</c> again with other arguments: its native launcher when it was started through one, otherwise the
/// .NET host that runs it (<c>dotnet weft.dll</c>, as <c>./weft</c> and the tests do).
/// </summary>
internal static class WeftExecutable
{
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
}
