using System.CommandLine;
using Weft.Cli.Commands;

namespace Weft.Cli;

/// <summary>The <c>weft</c> command line: parsing, dispatch, and errors as one sentence with a non-zero exit code.</summary>
internal static class WeftCommand
{
    public const int ExitUsage = 2;

    /// <summary>
    /// How long an interrupted command may take to stop before the process ends anyway: <c>weft up</c> stops its traffic, proxy,
    /// workloads and control plane in order, which takes longer than System.CommandLine's default of 2 seconds.
    /// </summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

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

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr, Func<TextReader> stdin)
    {
        var root = Build(stdout, stderr, stdin);
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0)
        {
            var command = parsed.CommandResult.Command;
            var name = command == root ? "weft" : "weft " + command.Name;
            // "Unrecognized command or argument" says more than the "required command" error that comes with it.
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            stderr.WriteLine($"{name}: {Sentence(error.Message)}");
            stderr.WriteLine($"Run '{name} --help' for usage.");
            return ExitUsage;
        }

        try
        {
            // SIGINT/SIGTERM cancel the running command, which then stops in order (a proxy drains); give that time.
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = StopTimeout });
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("WEFT_DEBUG") is null)
        {
            stderr.WriteLine($"weft: {Sentence(e.Message)} (set WEFT_DEBUG=1 for details)");
            return 1;
        }
    }

    private static string Sentence(string message)
    {
        var m = message.Trim();
        if (m.Length == 0)
        {
            return m;
        }

        m = char.ToLowerInvariant(m[0]) + m[1..];
        return m.EndsWith('.') ? m[..^1] : m;
    }
}
