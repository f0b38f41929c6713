using System.CommandLine;
using Weft.Cli.Commands;

namespace Weft.Cli;

/// <summary>
/// The <c>weft</c> command line of this binary, which has one command, <c>proxy</c>: parsed, run and failed as
/// <c>weft</c> does (<see cref="CommandRunner"/>).
/// </summary>
internal static class WeftCommand
{
    public const int ExitUsage = CommandRunner.ExitUsage;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("weft proxy, compiled ahead of time: the same command as in weft.");
        root.Subcommands.Add(ProxyCommand.Create(stdout, stderr));
        return CommandRunner.Run(root, args, stdout, stderr);
    }
}
