using System.CommandLine;
using System.Reflection;

namespace Weft.Cli.Commands;

internal static class VersionCommand
{
    public static Command Create(TextWriter stdout)
    {
        var command = new Command("version", "Print Weft's version.");
        command.SetAction(_ =>
        {
            var version = typeof(VersionCommand).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev";
            stdout.WriteLine($"weft {version}");
            return 0;
        });
        return command;
    }
}
