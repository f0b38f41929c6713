using System.Diagnostics;
using System.Threading.Channels;
using Weft.Cli.Up.Proxies;

namespace Weft.Cli.Tests.Support;

/// <summary>
/// The weft command line as a child process, as a user starts it from a shell: standard output read line by line (each line
/// with the moment it arrived), standard error kept, Ctrl-C delivered as SIGINT. Disposing kills what is still running.
/// </summary>
internal sealed class WeftChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<(string Line, TimeSpan At)> _lines = Channel.CreateUnbounded<(string, TimeSpan)>();
    private readonly System.Text.StringBuilder _stdout = new();
    private readonly System.Text.StringBuilder _stderr = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private WeftChild(Process process) => _process = process;

    public TimeSpan Now => _clock.Elapsed;

    public int Id => _process.Id;

    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static WeftChild Start(params string[] args) => Start(new Dictionary<string, string>(), args);

    /// <summary>Starts weft with <paramref name="environment"/> added to this process's environment.</summary>
    public static WeftChild Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = WeftExecutable.StartInfo(args);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = new Process { StartInfo = start };
        var child = new WeftChild(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
                return;
            }

            lock (child._stdout)
            {
                child._stdout.AppendLine(e.Data);
            }

            child._lines.Writer.TryWrite((e.Data, child._clock.Elapsed));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (child._stderr)
            {
                child._stderr.AppendLine(e.Data);
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>The next line of standard output that matches, with when it arrived; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<(string Line, TimeSpan At)> NextLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cancel.Token))
            {
                while (_lines.Reader.TryRead(out var line))
                {
                    if (match(line.Line))
                    {
                        return line;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        throw new Xunit.Sdk.XunitException($"no matching line within {timeout.TotalSeconds} s; stdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    /// <summary>Presses Ctrl-C.</summary>
    public void Interrupt() => Assert.True(PosixSignal.Send(_process.Id, PosixSignal.Interrupt), "SIGINT could not be sent");

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"weft did not exit within {timeout.TotalSeconds} s; stdout:\n{Stdout}\nstderr:\n{Stderr}");
        }

        return _process.ExitCode;
    }

    /// <summary>Waits for the exit and fails with what weft printed unless it exited with 0.</summary>
    public async Task ExitedCleanlyAsync(TimeSpan timeout)
    {
        var code = await WaitForExitAsync(timeout);
        Assert.True(code == 0, $"weft exited with {code}; stdout:\n{Stdout}\nstderr:\n{Stderr}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
