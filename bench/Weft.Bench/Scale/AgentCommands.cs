using System.Globalization;
using System.Threading.Channels;

namespace Weft.Bench.Scale;

/// <summary>
/// The line commands every server the benchmark drives answers alike (<c>stats</c>, <c>gc</c>, <c>connections</c>,
/// <c>quit</c>), so the control plane and the replay floor are measured by the same words.
/// </summary>
internal static class AgentCommands
{
    /// <summary>
    /// Answers commands until <c>quit</c> or the end of the commands; others go to <paramref name="other"/>, which returns
    /// false for a command it does not know either.
    /// </summary>
    public static async Task ServeAsync(ChannelReader<string> commands, Action<string> reply, Func<int> connections, Func<string, bool>? other, CancellationToken cancel)
    {
        await foreach (var command in commands.ReadAllAsync(cancel).ConfigureAwait(false))
        {
            switch (command)
            {
                case "stats":
                    reply(ControlPlaneStats.Line(collect: false));
                    break;
                case "gc":
                    reply(ControlPlaneStats.Line(collect: true));
                    break;
                case "connections":
                    reply(string.Create(CultureInfo.InvariantCulture, $"connections {connections()}"));
                    break;
                case "quit":
                    return;
                default:
                    if (other?.Invoke(command) != true)
                    {
                        reply($"error unknown command \"{command}\"");
                    }

                    break;
            }
        }
    }
}
