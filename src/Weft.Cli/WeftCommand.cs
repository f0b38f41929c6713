using System.CommandLine;
using Weft.Cli.Commands;

namespace Weft.Cli;

/// <summary>The <c>weft</c> command line: parsing, dispatch, and errors as one sentence with a non-zero exit code.</summary>
internal static class WeftCommand
{
    public const int ExitUsage = CommandRunner.ExitUsage;

    public static RootCommand Build(TextWriter stdout, TextWriter stderr, Func<TextReader> stdin)
    {
        var root = new RootCommand("Weft: a service mesh that speaks Istio. Same YAML, a leaner data plane, tools that explain the mesh.");
        root.Subcommands.Add(ValidateCommand.Create(stdout, stderr, stdin));
        root.Subcommands.Add(ControlCommand.Create(stdout, stderr));
        root.Subcommands.Add(UpCommand.Create(stdout, stderr));
        root.Subcommands.Add(SampleCommand.Create(stdout, stderr));
        root.Subcommands.Add(ProxyCommand.Create(stdout, stderr));
        root.Subcommands.Add(VersionCommand.Create(stdout));
        return root;
    }

    /// <summary>Whether this build of weft has a command of that name (<c>weft up</c> asks before it runs <c>weft proxy</c>).</summary>
    public static bool HasCommand(string name) =>
        Build(TextWriter.Null, TextWriter.Null, () => TextReader.Null).Subcommands.Any(c => c.Name == name);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<TextReader> stdin) =>
        CommandRunner.Run(Build(stdout, stderr, stdin), args, stdout, stderr);
}
