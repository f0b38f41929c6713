using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Weft.Bench.Scale;

/// <summary>
/// A server the benchmark drives over the agents' line protocol (see <see cref="ControlPlaneAgent"/>): the control plane
/// itself, or the replay server that measures the transport floor. One <see cref="ControlPlaneLink"/> drives either, in a
/// child process (this program again, in <see cref="ChildMode"/>) or in this process, so both are measured the same way.
/// </summary>
internal sealed record LinkedAgent(string Name, string ChildMode, LinkedAgent.Runner Run)
{
    /// <summary>Serves <paramref name="directory"/> and answers <paramref name="commands"/> until <c>quit</c> or their end.</summary>
    public delegate Task Runner(string directory, ChannelReader<string> commands, Action<string> reply, ILoggerFactory loggers, CancellationToken cancel);

    public static LinkedAgent ControlPlane { get; } = new("control plane", "scale-control", ControlPlaneAgent.RunAsync);

    public static LinkedAgent Replay { get; } = new("replay server", "scale-replay", ReplayAgent.RunAsync);

    /// <summary>The child process's main: commands on stdin, replies on stdout, warnings on stderr.</summary>
    public async Task<int> RunChildAsync(string directory)
    {
        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(o => o.SingleLine = true)
            .AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace));
        var commands = Channel.CreateUnbounded<string>();
        var stdin = Task.Run(async () =>
        {
            while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                await commands.Writer.WriteAsync(line.Trim()).ConfigureAwait(false);
            }

            commands.Writer.TryComplete(); // The benchmark went away: stop too.
        });
        var gate = new object();
        await Run(directory, commands.Reader, line =>
        {
            lock (gate)
            {
                Console.Out.WriteLine(line);
                Console.Out.Flush();
            }
        }, loggers, CancellationToken.None).ConfigureAwait(false);
        return 0;
    }
}
