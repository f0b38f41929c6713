using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Weft.Control.Hosting;

namespace Weft.Bench.Scale;

/// <summary>
/// The control plane side of the scale benchmark: runs a real control plane (as <c>weft control</c> does) on a directory
/// and answers line commands, so the benchmark can drive it in a child process (a clean memory figure) or in-process (the
/// twin test). Replies: <c>ready ADDRESS resources=N rejected=N</c> once serving, <c>pushed VERSION TIMESTAMP</c> after
/// every push, and one line per command: <c>stats</c> (no collection), <c>gc</c> (after a full blocking collection),
/// <c>connections</c>; <c>quit</c> (or the end of the commands) stops it.
/// </summary>
internal static class ControlPlaneAgent
{
    public static async Task RunAsync(string directory, ChannelReader<string> commands, Action<string> reply, ILoggerFactory loggers, CancellationToken cancel)
    {
        var plane = await ControlPlane.StartAsync(new ControlPlaneOptions
        {
            ConfigDirectory = directory,
            XdsAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
        }, loggers, cancel).ConfigureAwait(false);
        await using (plane.ConfigureAwait(false))
        {
            plane.Controller.Pushed += push => reply(string.Create(CultureInfo.InvariantCulture, $"pushed {push.Version} {Stopwatch.GetTimestamp()}"));
            var snapshot = plane.Store.Current;
            reply(string.Create(CultureInfo.InvariantCulture, $"ready {plane.XdsEndpoint} resources={snapshot.Resources.Count} rejected={snapshot.Rejections.Count}"));
            await foreach (var command in commands.ReadAllAsync(cancel).ConfigureAwait(false))
            {
                switch (command)
                {
                    case "stats":
                        reply(Stats(collect: false));
                        break;
                    case "gc":
                        reply(Stats(collect: true));
                        break;
                    case "connections":
                        reply(string.Create(CultureInfo.InvariantCulture, $"connections {plane.Xds.Connections.Count}"));
                        break;
                    case "quit":
                        return;
                    default:
                        reply($"error unknown command \"{command}\"");
                        break;
                }
            }
        }
    }

    /// <summary>The child process's main: commands on stdin, replies on stdout, warnings on stderr.</summary>
    public static async Task<int> RunChildAsync(string directory)
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
        await RunAsync(directory, commands.Reader, line =>
        {
            lock (gate)
            {
                Console.Out.WriteLine(line);
                Console.Out.Flush();
            }
        }, loggers, CancellationToken.None).ConfigureAwait(false);
        return 0;
    }

    private static string Stats(bool collect)
    {
        if (collect)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }

        using var self = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture,
            $"stats heap={GC.GetTotalMemory(false)} workingSet={self.WorkingSet64} peak={self.PeakWorkingSet64} cpuMs={self.TotalProcessorTime.TotalMilliseconds:F0} allocated={GC.GetTotalAllocatedBytes()} gen2={GC.CollectionCount(2)}");
    }
}
