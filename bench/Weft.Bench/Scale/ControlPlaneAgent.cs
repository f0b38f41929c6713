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
/// <c>connections</c>; <c>quit</c> (or the end of the commands) stops it. Run as a child by <see cref="LinkedAgent"/>.
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
            await AgentCommands.ServeAsync(commands, reply, () => plane.Xds.Connections.Count, other: null, cancel).ConfigureAwait(false);
        }
    }
}
