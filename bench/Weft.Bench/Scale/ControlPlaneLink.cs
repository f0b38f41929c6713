using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using Microsoft.Extensions.Logging.Abstractions;

namespace Weft.Bench.Scale;

/// <summary>
/// The benchmark's handle on a server run by a <see cref="LinkedAgent"/> (the control plane, or the replay server of the
/// transport floor): in a child process (this program again, in the agent's mode), so its memory and CPU time are its own,
/// or in this process. Times it reports are <see cref="Stopwatch"/> ticks; on Linux both processes read the same
/// monotonic clock.
/// </summary>
internal sealed class ControlPlaneLink : IAsyncDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(60);
    private readonly Channel<string> _replies = Channel.CreateUnbounded<string>();
    private readonly Channel<PushEvent> _pushes = Channel.CreateUnbounded<PushEvent>();
    private readonly SemaphoreSlim _oneCommand = new(1);
    private readonly Func<string, Task> _send;
    private readonly Process? _process;
    private Task _running = Task.CompletedTask;

    private ControlPlaneLink(LinkedAgent agent, Func<string, Task> send, Process? process)
    {
        Agent = agent;
        _send = send;
        _process = process;
    }

    public LinkedAgent Agent { get; }

    /// <summary>What the server is called in messages: "control plane" or "replay server".</summary>
    public string Name => Agent.Name;

    public string XdsAddress { get; private set; } = string.Empty;

    public int Resources { get; private set; }

    public bool InProcess => _process is null;

    /// <summary>The child's working set now, from /proc (null in-process or where there is no /proc).</summary>
    public long? ChildWorkingSetBytes()
    {
        if (_process is null)
        {
            return null;
        }

        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>Starts <paramref name="agent"/> in a child process, its GC heap limited to <paramref name="maxHeapMb"/> (0: no limit).</summary>
    public static async Task<ControlPlaneLink> StartChildAsync(LinkedAgent agent, string directory, int maxHeapMb, TimeSpan timeout, CancellationToken cancel)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException($"the benchmark cannot find its own executable to start the {agent.Name}");
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ControlPlaneLink).Assembly.Location);
        }

        start.ArgumentList.Add(agent.ChildMode);
        start.ArgumentList.Add(directory);
        if (maxHeapMb > 0)
        {
            start.Environment["DOTNET_GCHeapHardLimit"] = ((long)maxHeapMb * 1024 * 1024).ToString("X", CultureInfo.InvariantCulture);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {self}");
        var link = new ControlPlaneLink(agent, async line =>
        {
            await process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
            await process.StandardInput.FlushAsync().ConfigureAwait(false);
        }, process);
        link._running = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
            {
                link.Receive(line);
            }

            link.Ended(new InvalidOperationException($"the {agent.Name} process ended (exit code {(process.WaitForExit(5000) ? process.ExitCode : -1)})"));
        }, CancellationToken.None);
        await link.ReadyAsync(timeout, cancel).ConfigureAwait(false);
        return link;
    }

    public static async Task<ControlPlaneLink> StartInProcessAsync(LinkedAgent agent, string directory, TimeSpan timeout, CancellationToken cancel)
    {
        var commands = Channel.CreateUnbounded<string>();
        var link = new ControlPlaneLink(agent, line => commands.Writer.WriteAsync(line).AsTask(), process: null);
        link._running = Task.Run(async () =>
        {
            try
            {
                await agent.Run(directory, commands.Reader, link.Receive, NullLoggerFactory.Instance, CancellationToken.None).ConfigureAwait(false);
                link.Ended(new InvalidOperationException($"the {agent.Name} stopped"));
            }
            catch (Exception e)
            {
                link.Ended(e);
            }
        }, CancellationToken.None);
        await link.ReadyAsync(timeout, cancel).ConfigureAwait(false);
        return link;
    }

    /// <summary>Forgets pushes reported so far, so the next <see cref="NextPushAsync"/> is one caused by what follows.</summary>
    public void ForgetPushes()
    {
        while (_pushes.Reader.TryRead(out _))
        {
        }
    }

    public async Task<PushEvent> NextPushAsync(TimeSpan timeout, CancellationToken cancel)
    {
        try
        {
            return await _pushes.Reader.ReadAsync(cancel).AsTask().WaitAsync(timeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the {Name} pushed nothing within {timeout.TotalSeconds:F0} s");
        }
    }

    /// <summary>
    /// Asks the server for a push of its own (the replay server's <c>push</c>: the same routes as a new version); it is
    /// reported, like any push, to <see cref="NextPushAsync"/>.
    /// </summary>
    public async Task RequestPushAsync(CancellationToken cancel)
    {
        await _oneCommand.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            await _send("push").ConfigureAwait(false);
        }
        finally
        {
            _oneCommand.Release();
        }
    }

    public async Task<ControlPlaneStats> StatsAsync(bool collect, CancellationToken cancel) =>
        ControlPlaneStats.Parse(await CommandAsync(collect ? "gc" : "stats", cancel).ConfigureAwait(false));

    /// <summary>Waits (bounded) until the server counts exactly <paramref name="expected"/> connections.</summary>
    public async Task WaitConnectionsAsync(int expected, TimeSpan timeout, CancellationToken cancel)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var reply = await CommandAsync("connections", cancel).ConfigureAwait(false);
            var count = int.Parse(reply.AsSpan("connections ".Length), CultureInfo.InvariantCulture);
            if (count == expected)
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"the {Name} still has {count} connections after {timeout.TotalSeconds:F0} s (expected {expected})");
            }

            await Task.Delay(50, cancel).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _send("quit").WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            await _running.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or TimeoutException or InvalidOperationException or ChannelClosedException)
        {
        }

        if (_process is not null)
        {
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill(entireProcessTree: true);
            }

            _process.Dispose();
        }

        _oneCommand.Dispose();
    }

    private async Task ReadyAsync(TimeSpan timeout, CancellationToken cancel)
    {
        string ready;
        try
        {
            ready = await _replies.Reader.ReadAsync(cancel).AsTask().WaitAsync(timeout, cancel).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the {Name} did not start within {timeout.TotalSeconds:F0} s");
        }

        var parts = ready.Split(' ');
        if (parts[0] != "ready")
        {
            throw new InvalidOperationException($"the {Name} answered \"{ready}\" instead of ready");
        }

        if (parts[3] != "rejected=0")
        {
            throw new InvalidOperationException($"the {Name} rejected part of the generated configuration ({ready})");
        }

        XdsAddress = parts[1];
        Resources = int.Parse(parts[2].AsSpan("resources=".Length), CultureInfo.InvariantCulture);
    }

    private async Task<string> CommandAsync(string command, CancellationToken cancel)
    {
        await _oneCommand.WaitAsync(cancel).ConfigureAwait(false);
        try
        {
            await _send(command).ConfigureAwait(false);
            var reply = await _replies.Reader.ReadAsync(cancel).AsTask().WaitAsync(ReplyTimeout, cancel).ConfigureAwait(false);
            return reply.StartsWith("error ", StringComparison.Ordinal)
                ? throw new InvalidOperationException($"the {Name} answered \"{command}\" with: {reply}")
                : reply;
        }
        finally
        {
            _oneCommand.Release();
        }
    }

    private void Receive(string line)
    {
        if (line.StartsWith("pushed ", StringComparison.Ordinal))
        {
            var parts = line.Split(' ');
            _pushes.Writer.TryWrite(new PushEvent(long.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture)));
            return;
        }

        if (line.StartsWith("ready ", StringComparison.Ordinal) || line.StartsWith("stats ", StringComparison.Ordinal)
            || line.StartsWith("connections ", StringComparison.Ordinal) || line.StartsWith("error ", StringComparison.Ordinal))
        {
            _replies.Writer.TryWrite(line);
            return;
        }

        Console.Error.WriteLine(Name + ": " + line);
    }

    private void Ended(Exception reason)
    {
        _replies.Writer.TryComplete(reason);
        _pushes.Writer.TryComplete(reason);
    }
}
