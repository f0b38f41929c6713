using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Weft.Control.Tests.Interop;

/// <summary>
/// One node script of the harness as a child process: a JSON configuration as its argument, JSON lines
/// read from stdout as <see cref="Events"/>, commands written to stdin, stderr kept for failure messages.
/// Disposing closes stdin (the scripts exit on that) and kills the process tree if it lingers.
/// </summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private const int StderrLimit = 32 * 1024;
    private const int StdoutLines = 30;
    private static readonly TimeSpan ExitGrace = TimeSpan.FromSeconds(5);

    private readonly Process process;
    private readonly string label;
    private readonly object gate = new();
    private readonly StringBuilder stderr = new();
    private readonly Queue<string> stdoutTail = new();
    private bool stdinClosed;
    private string? harnessError;
    private int? exitCode;

    private NodeProcess(Process process, string label)
    {
        this.process = process;
        this.label = label;
        Events = new Observed<JsonElement>(Describe);
    }

    /// <summary>Every JSON object the script printed, in order.</summary>
    public Observed<JsonElement> Events { get; }

    /// <summary>Completes once the process has exited and its output is fully read.</summary>
    public Task Ended { get; private set; } = Task.CompletedTask;

    /// <param name="onEvent">Sees each event before it is added to <see cref="Events"/>, on the reading thread.</param>
    public static NodeProcess Start(NodeInterop node, string script, string configJson, IReadOnlyDictionary<string, string> environment, Action<JsonElement>? onEvent = null)
    {
        var info = new ProcessStartInfo(node.NodePath)
        {
            WorkingDirectory = node.Directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // No BOM: the scripts parse stdin lines as JSON.
            StandardInputEncoding = new UTF8Encoding(false),
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        info.ArgumentList.Add(node.Script(script));
        info.ArgumentList.Add(configJson);
        ScrubEnvironment(info.Environment);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InteropException($"cannot start {node.NodePath} {script}: {e.Message}", e);
        }

        var started = new NodeProcess(process, $"node {script} (pid {process.Id})");
        started.Ended = started.RunAsync(onEvent);
        return started;
    }

    /// <summary>Writes one line (a JSON command) to the script's stdin.</summary>
    public async Task SendAsync(string line)
    {
        try
        {
            await process.StandardInput.WriteLineAsync(line).ConfigureAwait(false);
            await process.StandardInput.FlushAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            throw new InteropException($"cannot write to {label}: {e.Message}\n{Describe()}", e);
        }
    }

    /// <summary>Closes stdin: servers.js exits, client.js in stream mode stops and reports.</summary>
    public void CloseStdin()
    {
        lock (gate)
        {
            if (stdinClosed)
            {
                return;
            }

            stdinClosed = true;
        }

        try
        {
            process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The process already exited; nothing is left to tell.
        }
    }

    public void Kill()
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }

    /// <summary>The process, its exit code if it ended, its stderr and its last stdout lines.</summary>
    public string Describe()
    {
        var text = new StringBuilder(label);
        lock (gate)
        {
            if (exitCode is { } code)
            {
                text.Append(" exited with code ").Append(code);
            }

            text.Append("\n--- stderr ---\n").Append(stderr.Length == 0 ? "(empty)" : stderr.ToString());
            text.Append("\n--- last stdout lines ---\n").AppendJoin('\n', stdoutTail);
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        CloseStdin();
        try
        {
            await Ended.WaitAsync(ExitGrace).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            Kill();
            await Ended.WaitAsync(ExitGrace).ConfigureAwait(false);
        }
        finally
        {
            process.Dispose();
        }
    }

    // What the harness sets must be all the client sees: an inherited GRPC_XDS_BOOTSTRAP file would
    // win over GRPC_XDS_BOOTSTRAP_CONFIG, an inherited GRPC_TRACE would flood stderr, and grpc-js
    // sends loopback traffic through http_proxy/https_proxy/grpc_proxy when they are set.
    private static void ScrubEnvironment(IDictionary<string, string?> environment)
    {
        string[] proxies = ["http_proxy", "https_proxy", "grpc_proxy", "no_proxy", "no_grpc_proxy"];
        foreach (var key in environment.Keys.ToList())
        {
            if (key.StartsWith("GRPC_", StringComparison.OrdinalIgnoreCase)
                || proxies.Contains(key, StringComparer.OrdinalIgnoreCase)
                || key.Equals("NODE_OPTIONS", StringComparison.OrdinalIgnoreCase))
            {
                environment.Remove(key);
            }
        }
    }

    private async Task RunAsync(Action<JsonElement>? onEvent)
    {
        await Task.WhenAll(ReadStderrAsync(), ReadStdoutAsync(onEvent)).ConfigureAwait(false);
        await process.WaitForExitAsync().ConfigureAwait(false);
        // Kept here, because Describe may run after the Process object is disposed.
        lock (gate)
        {
            exitCode = process.ExitCode;
        }

        Events.End(harnessError ?? $"{label} exited with code {exitCode}");
    }

    private async Task ReadStdoutAsync(Action<JsonElement>? onEvent)
    {
        await Task.Yield();
        while (await process.StandardOutput.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lock (gate)
            {
                stdoutTail.Enqueue(line);
                if (stdoutTail.Count > StdoutLines)
                {
                    stdoutTail.Dequeue();
                }
            }

            JsonElement element;
            try
            {
                using var document = JsonDocument.Parse(line);
                element = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Not one of the scripts' lines (a library printing to stdout): kept for Describe only.
                continue;
            }

            try
            {
                onEvent?.Invoke(element);
            }
            catch (Exception e)
            {
                // The waits must still end, or a test would hang until its timeout.
                harnessError = $"the harness failed on a line of {label}: {e}\nline: {line}";
                Kill();
                return;
            }

            Events.Add(element);
        }
    }

    private async Task ReadStderrAsync()
    {
        await Task.Yield();
        var buffer = new char[4096];
        int read;
        while ((read = await process.StandardError.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            lock (gate)
            {
                stderr.Append(buffer, 0, read);
                // Keep the end: with GRPC_TRACE on, the last lines say what the client was doing.
                if (stderr.Length > StderrLimit)
                {
                    stderr.Remove(0, stderr.Length - StderrLimit);
                }
            }
        }
    }
}
