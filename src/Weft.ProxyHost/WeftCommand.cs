using System.CommandLine;
using Weft.Cli.Commands;

namespace Weft.Cli;

/// <summary>
/// The <c>weft</c> command line of this binary, which has one command, <c>proxy</c>: parsed, run and failed as
/// <c>weft</c> does (usage errors exit 2 with one sentence, a signal drains within the same stop timeout).
/// </summary>
internal static class WeftCommand
{
    public const int ExitUsage = 2;

    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = new RootCommand("weft proxy, compiled ahead of time: the same command as in weft.");
        root.Subcommands.Add(ProxyCommand.Create(stdout, stderr));
        var parsed = root.Parse(args.Length == 0 ? ["--help"] : args);
        if (parsed.Errors.Count > 0)
        {
            var command = parsed.CommandResult.Command;
            var name = command == root ? "weft" : "weft " + command.Name;
            var error = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            stderr.WriteLine($"{name}: {Sentence(error.Message)}");
            stderr.WriteLine($"Run '{name} --help' for usage.");
            return ExitUsage;
        }

        try
        {
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
