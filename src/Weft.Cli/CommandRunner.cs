using System.CommandLine;

namespace Weft.Cli;

/// <summary>
/// Runs a parsed <c>weft</c> command line the way every weft binary does: a usage error is one sentence naming the
/// command and exits 2; a failure is one sentence and exits 1 (<c>WEFT_DEBUG=1</c> shows the exception); an interrupted
/// command gets <see cref="StopTimeout"/> to stop in order. Shared by weft.dll and the NativeAOT proxy host.
/// </summary>
internal static class CommandRunner
{
    public const int ExitUsage = 2;

    /// <summary>
    /// How long an interrupted command may take to stop before the process ends anyway: <c>weft up</c> stops its traffic,
    /// proxies, workloads and control plane in order, and a proxy drains, which takes longer than System.CommandLine's
    /// default of 2 seconds.
    /// </summary>
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(15);

    public static int Run(RootCommand root, string[] args, TextWriter stdout, TextWriter stderr)
    {
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
